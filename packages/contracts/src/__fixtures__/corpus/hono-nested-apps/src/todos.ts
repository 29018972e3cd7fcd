import { Hono } from 'hono';

export const todos = new Hono();
todos.get('/', (c) => c.json([]));
todos.patch('/:id', (c) => c.json({}));
