import type { FastifyInstance } from 'fastify';

export default async function todoRoutes(app: FastifyInstance) {
  app.get('/', async () => []);

  app.post('/', async (request) => request.body);

  app.route({
    method: ['PUT', 'PATCH'],
    url: '/:id',
    handler: async (request) => request.params,
  });

  app.delete('/:id', async () => ({ deleted: true }));

  app.get('/archived/count', async () => ({ count: 0 }));
}
