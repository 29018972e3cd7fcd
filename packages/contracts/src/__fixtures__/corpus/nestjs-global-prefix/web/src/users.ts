import axios from 'axios';

const api = axios.create({ baseURL: import.meta.env.VITE_API ?? 'http://localhost:3000/api' });

export const users = () => api.get('/users');
export const user = (id: string) => api.get(`/users/${id}`);
export const createUser = (u: object) => api.post('/users', u);
export const removeUser = (id: string) => api.delete(`/users/${id}`);
