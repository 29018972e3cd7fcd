import axios from 'axios';
import { http } from './api';

export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

export const listTodos = () => http.get<Todo[]>('/todos');

export const addTodo = (title: string) => http.post<Todo>('/todos', { title });

export const removeTodo = (id: number) => http.delete(`/todos/${id}`);

export const renameTodo = (id: number, title: string) => http.patch(`/todos/${id}`, { title });

// Planted: the server has no "done" route.
export const finishTodo = (id: number) => http.put(`/todos/${id}/done`);

// Planted: a parameter where the server has the fixed word "archived".
export const countTodos = (status: string) => http.get(`/todos/${status}/count`);

// Planted: plain axios, and nothing serves stats.
export const stats = () => axios.get('/api/stats');

const cache = new Map<string, string>();
export const cached = () => cache.get('/todos');
