import path from 'node:path';
import Fastify from 'fastify';
import AutoLoad from '@fastify/autoload';

const app = Fastify();
app.register(AutoLoad, { dir: path.join(__dirname, 'routes'), options: { prefix: '/api' } });
export default app;
