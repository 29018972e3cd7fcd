export const list = () => fetch('/api/books');
export const update = (id: string) => fetch(`/api/books/${id}`, { method: 'PATCH' });
// Planted: no POST on books.
export const create = () => fetch('/api/books', { method: 'POST' });
