import { Hono } from 'hono';
import { todos } from './todos';

export const api = new Hono();
api.route('/todos', todos);
api.get('/me', (c) => c.json({}));
