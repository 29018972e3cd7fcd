import Fastify from 'fastify';
import todoRoutes from './todos';

const app = Fastify({ logger: true });

app.register(todoRoutes, { prefix: '/api/todos' });

app.get('/health', async () => ({ ok: true }));

app.listen({ port: 3000 });
