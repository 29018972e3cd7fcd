import axios from 'axios';
import client from './client';

export const users = () => client.get('/users');

export const user = (id: string) => client.get(`/users/${id}`);

export const createUser = (name: string) => axios({ url: '/api/users', method: 'post', data: { name } });

// Planted: the backend replaces projects with PUT; the client patches.
export const renameProject = (id: string, name: string) => client.patch(`/projects/${id}`, { name });

// Planted: in the contract, not implemented (reported once, on the contract).
export const teams = () => client.get('/teams');

// Planted: neither served nor in the contract.
export const me = () => client.request({ url: '/me' });
