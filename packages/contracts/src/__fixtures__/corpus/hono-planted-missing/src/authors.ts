import { Hono } from 'hono';

export function createAuthorsApp() {
  const app = new Hono();
  app.get('/', (c) => c.json([]));
  app.get('/:id', (c) => c.json({}));
  return app;
}
