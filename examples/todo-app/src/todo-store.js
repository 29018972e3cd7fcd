/** A validation problem in a request: answered with HTTP 400. */
export class ValidationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ValidationError';
  }
}

function validateTitle(title) {
  if (typeof title !== 'string' || title.trim() === '') throw new ValidationError('title must be a non-empty string');
  if (title.length > 200) throw new ValidationError('title must be at most 200 characters');
  return title.trim();
}

/** An in-memory todo list. */
export function createTodoStore() {
  const todos = new Map();
  let nextId = 1;
  return {
    list() {
      return [...todos.values()];
    },
    get(id) {
      return todos.get(id);
    },
    create(input) {
      const todo = { id: String(nextId++), title: validateTitle(input?.title), done: false };
      todos.set(todo.id, todo);
      return todo;
    },
    update(id, patch) {
      const todo = todos.get(id);
      if (!todo) return undefined;
      if (patch?.title !== undefined) todo.title = validateTitle(patch.title);
      if (patch?.done !== undefined) {
        if (typeof patch.done !== 'boolean') throw new ValidationError('done must be true or false');
        todo.done = patch.done;
      }
      return todo;
    },
    remove(id) {
      return todos.delete(id);
    },
  };
}
