import { Hono } from 'hono';
import { createAuthorsApp } from './authors';

const app = new Hono();
app.route('/api/authors', createAuthorsApp());
export default app;
