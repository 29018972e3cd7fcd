import axios from 'axios';

const api = axios.create({ baseURL: '/api' });

export const profile = (userId: string) => api.get(`/users/${userId}/profile`);
export const uploadAvatar = (userId: string, file: Blob) => api.post(`/users/${userId}/avatar`, file);
