import { Router } from 'express';
import usersRouter from './users';

const api = Router();
api.use('/users', usersRouter);
api.get('/ping', (_req, res) => res.send('pong'));
export default api;
