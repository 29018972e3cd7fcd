import Fastify from 'fastify';
import items from './items.js';

const app = Fastify();
app.register(async (api) => {
  api.register(items, { prefix: '/items' });
  api.get('/version', async () => ({ version: 1 }));
}, { prefix: '/api' });
export default app;
