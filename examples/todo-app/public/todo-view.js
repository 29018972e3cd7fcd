/** Escapes text for HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]);
}

/** One todo as a list item. */
export function renderTodo(todo) {
  const checked = todo.done ? ' checked' : '';
  return `<li data-id="${escapeHtml(todo.id)}"><input type="checkbox"${checked}> <span>${escapeHtml(todo.title)}</span></li>`;
}
