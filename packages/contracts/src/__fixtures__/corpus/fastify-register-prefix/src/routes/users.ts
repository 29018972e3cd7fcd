import type { FastifyInstance } from 'fastify';

export default async function userRoutes(fastify: FastifyInstance) {
  fastify.get('/', async () => []);
  fastify.get('/:id', async () => ({}));
  fastify.route({ method: 'PUT', url: '/:id', handler: async () => ({}) });
}
