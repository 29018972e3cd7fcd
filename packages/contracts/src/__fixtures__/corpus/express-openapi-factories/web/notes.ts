const base = 'http://localhost:3000/api/v2';

export const notes = () => fetch(`${base}/notes`);
export const note = (id: string) => fetch(`${base}/notes/${id}`);
export const removeNote = (id: string) => fetch(`${base}/notes/${id}`, { method: 'DELETE' });
