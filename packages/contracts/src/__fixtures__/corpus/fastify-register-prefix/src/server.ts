import Fastify from 'fastify';
import userRoutes from './routes/users';
import { healthRoutes } from './routes/health';

const fastify = Fastify({ logger: true });
fastify.register(userRoutes, { prefix: '/api/users' });
fastify.register(healthRoutes);
await fastify.listen({ port: 3000 });
