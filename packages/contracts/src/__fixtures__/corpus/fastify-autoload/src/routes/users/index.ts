import type { FastifyPluginAsync } from 'fastify';

const users: FastifyPluginAsync = async (fastify) => {
  fastify.get('/', async () => []);
  fastify.get('/:id', async () => ({}));
};

export default users;
