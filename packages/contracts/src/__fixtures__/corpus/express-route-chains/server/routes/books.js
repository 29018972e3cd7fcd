import express from 'express';
import * as books from '../controllers/books.js';

const router = express.Router();

router.route('/books')
  .get(books.list)
  .post(books.create);

router
  .route('/books/:id')
  .get(books.show)
  .put(books.update)
  .delete(books.destroy);

export default router;
