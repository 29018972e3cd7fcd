import { Hono } from 'hono';

const books = new Hono();
books.get('/', (c) => c.json([]));
books.post('/', (c) => c.json({}, 201));
books.get('/:id', (c) => c.json({}));
export default books;
