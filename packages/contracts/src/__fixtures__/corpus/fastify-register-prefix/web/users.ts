import axios from 'axios';

export const users = () => axios.get('/api/users');
export const updateUser = (id: string, body: object) => axios.put(`/api/users/${id}`, body);
export const healthz = () => axios.get('/healthz');
