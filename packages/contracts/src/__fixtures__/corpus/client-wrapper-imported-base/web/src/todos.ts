import { apiFetch } from './lib/http';

export const todos = () => apiFetch('/todos');
export const addTodo = (title: string) => apiFetch('/todos', { method: 'POST', body: JSON.stringify({ title }) });
export const toggle = (id: string) => apiFetch(`/todos/${id}`, { method: 'PATCH' });
