import { Hono } from 'hono';
import { books } from './books';

const app = new Hono().basePath('/api');

app.route('/books', books);
app.get('/ping', (c) => c.text('pong'));

export default app;
