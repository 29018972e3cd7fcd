import { api } from './api';

export const listUsers = () => api.get('/users');
export const removeUser = (id: number) => api.delete(`/users/${id}`);
export const listTeams = () => api.get('/teams');
export const addMember = (teamId: string, userId: string) => api.post(`/teams/${teamId}/members`, { userId });
