import axios from 'axios';

const api = axios.create({ baseURL: process.env.VUE_APP_API_URL });

export const tasks = () => api.get('/api/tasks');
export const addTask = (title: string) => api.post('/api/tasks', { title });
export const finish = (id: string) => api.put(`/api/tasks/${id}/done`);
export const tags = () => api.get('/api/tags/');
