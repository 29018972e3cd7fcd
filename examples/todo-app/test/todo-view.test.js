import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTodo } from '../public/todo-view.js';

test('renders a todo and escapes its title', () => {
  const html = renderTodo({ id: '1', title: '<b>x</b>', done: true });
  assert.match(html, /data-id="1"/);
  assert.match(html, /checked/);
  assert.match(html, /&lt;b&gt;x&lt;\/b&gt;/);
});
