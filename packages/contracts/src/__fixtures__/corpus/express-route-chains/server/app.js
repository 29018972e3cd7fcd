import express from 'express';
import bookRoutes from './routes/books.js';

const app = express();
app.use('/api', bookRoutes);
export default app;
