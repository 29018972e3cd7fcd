import { Hono } from 'hono';

export const books = new Hono();

books.get('/', (c) => c.json([]));
books.on(['PUT', 'PATCH'], '/:id', (c) => c.json({}));
