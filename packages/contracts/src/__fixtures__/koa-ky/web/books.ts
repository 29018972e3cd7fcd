import ky from 'ky';

const api = ky.create({ prefixUrl: '/api' });

export const books = () => api.get('books').json();
export const book = (id: string) => ky.get(`/api/books/${id}`).json();
export const addBook = (title: string) => ky('/api/books', { method: 'post', json: { title } });
// Planted: nothing serves authors.
export const authors = () => api.get('authors').json();
