export const login = (form) => fetch('/auth/login', { method: 'POST', body: form });
export const logout = () => fetch('/auth/logout', { method: 'POST' });
export const notes = () => fetch('/api/notes/');
export const note = (id) => fetch(`/api/notes/${id}`);
export const removeNote = (id) => fetch(`/api/notes/${id}`, { method: 'DELETE' });
