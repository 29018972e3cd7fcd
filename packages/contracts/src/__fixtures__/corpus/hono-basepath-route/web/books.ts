const API = 'http://127.0.0.1:8787/api';

export const books = () => fetch(`${API}/books`);
export const addBook = (b: object) => fetch(`${API}/books`, { method: 'POST', body: JSON.stringify(b) });
export const book = (id: string) => fetch(`${API}/books/${id}`);
export const authors = () => fetch(`${API}/authors`);
export const author = (id: string) => fetch(`${API}/authors/${id}`);
