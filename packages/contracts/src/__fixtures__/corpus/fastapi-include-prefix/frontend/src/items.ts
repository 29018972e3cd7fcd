import { api } from './api';

export const users = () => api.get('/users/');
export const user = (id: number) => api.get(`/users/${id}`);
export const createItem = (item: object) => api.post('/items/', item);
export const updateItem = (id: number, item: object) => api.put(`/items/${id}`, item);
export const health = () => fetch('http://localhost:8000/health');
