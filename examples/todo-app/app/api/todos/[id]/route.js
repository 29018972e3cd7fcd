/** PATCH /api/todos/{id} and DELETE /api/todos/{id}. */

export async function PATCH({ store, params, body }) {
  const todo = store.update(params.id, body);
  return todo ? { status: 200, body: todo } : { status: 404, body: { error: 'no such todo' } };
}

export async function DELETE({ store, params }) {
  return store.remove(params.id) ? { status: 204 } : { status: 404, body: { error: 'no such todo' } };
}
