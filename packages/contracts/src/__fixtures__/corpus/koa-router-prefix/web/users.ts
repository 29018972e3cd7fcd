import ky from 'ky';

export const users = () => ky.get('/api/v1/users').json();
export const user = (id: string) => ky.get(`/api/v1/users/${id}`).json();
export const removeUser = (id: string) => ky.delete(`/api/v1/users/${id}`);
