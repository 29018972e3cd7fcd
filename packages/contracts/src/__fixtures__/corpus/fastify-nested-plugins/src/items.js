export default async function items(fastify) {
  fastify.get('/', async () => []);
  fastify.post('/', async () => ({}));
  fastify.delete('/:itemId', async () => ({}));
}
