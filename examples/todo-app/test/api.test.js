import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { createApp } from '../src/app.js';
import { createTodoStore } from '../src/todo-store.js';

let server;
let base;

before(async () => {
  server = createServer(createApp(createTodoStore()));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

const json = (method, body) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('POST then GET /api/todos', async () => {
  const created = await fetch(`${base}/api/todos`, json('POST', { title: 'Write tests' }));
  assert.equal(created.status, 201);
  const todos = await (await fetch(`${base}/api/todos`)).json();
  assert.deepEqual(
    todos.map((todo) => todo.title),
    ['Write tests'],
  );
});

test('PATCH and DELETE /api/todos/{id}', async () => {
  const { id } = await (await fetch(`${base}/api/todos`, json('POST', { title: 'Ship' }))).json();
  const patched = await (await fetch(`${base}/api/todos/${id}`, json('PATCH', { done: true }))).json();
  assert.equal(patched.done, true);
  assert.equal((await fetch(`${base}/api/todos/${id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await fetch(`${base}/api/todos/${id}`, { method: 'DELETE' })).status, 404);
});

test('a bad body is a 400', async () => {
  const response = await fetch(`${base}/api/todos`, json('POST', { title: '' }));
  assert.equal(response.status, 400);
});
