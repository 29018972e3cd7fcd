export const notes = () => fetch('/api/notes');
export const addNote = (text: string) => fetch('/api/notes', { method: 'POST', body: text });
export const history = (id: number) => fetch(`/api/notes/${id}/history`);
// Planted: notes cannot be edited.
export const editNote = (id: number, text: string) => fetch(`/api/notes/${id}`, { method: 'PUT', body: text });
