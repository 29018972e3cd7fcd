import axios from 'axios';

const http = axios.create({ baseURL: 'http://localhost:5000/api' });

export const books = {
  list: () => http.get('/books'),
  create: (book) => http.post('/books', book),
  show: (id) => http.get(`/books/${id}`),
  update: (id, book) => http.put(`/books/${id}`, book),
  remove: (id) => http.delete(`/books/${id}`),
};
