import { renderTodo } from './todo-view.js';

const list = document.querySelector('#todos');
const form = document.querySelector('#new-todo');

async function refresh() {
  const response = await fetch('/api/todos');
  const todos = await response.json();
  list.innerHTML = todos.map(renderTodo).join('');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const title = document.querySelector('#title').value;
  await fetch('/api/todos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
  form.reset();
  await refresh();
});

list.addEventListener('change', async (event) => {
  const item = event.target.closest('li');
  await fetch(`/api/todos/${item.dataset.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ done: event.target.checked }) });
  await refresh();
});

refresh();
