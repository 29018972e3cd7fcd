import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTodoStore, ValidationError } from '../src/todo-store.js';

test('creates, lists, updates and removes todos', () => {
  const store = createTodoStore();
  const todo = store.create({ title: ' Buy milk ' });
  assert.deepEqual(todo, { id: '1', title: 'Buy milk', done: false });
  assert.deepEqual(store.update('1', { done: true }), { id: '1', title: 'Buy milk', done: true });
  assert.equal(store.list().length, 1);
  assert.equal(store.remove('1'), true);
  assert.equal(store.list().length, 0);
});

test('rejects an empty title', () => {
  assert.throws(() => createTodoStore().create({ title: '  ' }), ValidationError);
});

test('rejects a done flag that is not a boolean', () => {
  const store = createTodoStore();
  store.create({ title: 'x' });
  assert.throws(() => store.update('1', { done: 'yes' }), ValidationError);
});
