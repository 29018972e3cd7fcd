import { Hono } from 'hono';

export const authors = new Hono()
  .get('/', (c) => c.json([]))
  .get('/:id', (c) => c.json({}));
