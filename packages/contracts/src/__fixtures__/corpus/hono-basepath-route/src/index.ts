import { Hono } from 'hono';
import books from './books';
import { authors } from './authors';

const app = new Hono().basePath('/api');
app.route('/books', books);
app.route('/authors', authors);
export default app;
