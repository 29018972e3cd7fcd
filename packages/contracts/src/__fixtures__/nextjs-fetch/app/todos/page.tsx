'use client';

import { useEffect, useState } from 'react';

type Todo = { id: string; title: string };

export default function TodosPage() {
  const [todos, setTodos] = useState<Todo[]>([]);

  useEffect(() => {
    fetch('/api/todos')
      .then((response) => response.json())
      .then(setTodos);
  }, []);

  const toggle = (todo: Todo) =>
    // Planted: the route has GET and DELETE, not PATCH.
    fetch(`/api/todos/${todo.id}`, { method: 'PATCH', body: JSON.stringify({ done: true }) });

  const remove = (todo: Todo) => fetch(`/api/todos/${todo.id}`, { method: 'DELETE' });

  const cart = () => fetch('/api/cart', { method: 'PUT' });

  // Planted: the legacy API only takes POST.
  const legacy = () => fetch('/api/legacy');

  // Planted: a typo, nothing serves it.
  const typo = () => fetch('/api/todo');

  const file = (name: string) => fetch(`/api/files/docs/${name}`);

  return (
    <ul>
      {todos.map((todo) => (
        <li key={todo.id} onClick={() => toggle(todo)} onDoubleClick={() => remove(todo)}>
          {todo.title}
        </li>
      ))}
      <button onClick={() => Promise.all([cart(), legacy(), typo(), file('a.txt')])}>sync</button>
    </ul>
  );
}
