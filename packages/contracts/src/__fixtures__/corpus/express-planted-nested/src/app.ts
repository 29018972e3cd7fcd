import express from 'express';
import { usersRouter } from './users';

const app = express();
app.use('/api/users', usersRouter);
export default app;
