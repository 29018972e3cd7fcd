export const todos = () => fetch('/api/todos');
export const toggle = (id: string) => fetch(`/api/todos/${id}`, { method: 'PATCH' });
export const me = () => fetch('/api/me');
