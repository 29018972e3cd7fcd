export const note = (id: number) => fetch(`/api/notes/${id}`);
export const saveNote = (id: number, text: string) => fetch(`/api/notes/${id}`, { method: 'POST', body: JSON.stringify({ text }) });
