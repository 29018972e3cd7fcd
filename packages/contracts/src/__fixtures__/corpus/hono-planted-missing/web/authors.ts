export const authors = () => fetch('/api/authors');
export const author = (id: string) => fetch(`/api/authors/${id}`);
export const removeAuthor = (id: string) => fetch(`/api/authors/${id}`, { method: 'DELETE' });
