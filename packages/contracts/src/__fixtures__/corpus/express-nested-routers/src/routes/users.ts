import { Router } from 'express';
import postsRouter from './posts';

const users = Router();
users.get('/', (_req, res) => res.json([]));
users.get('/:userId', (_req, res) => res.json({}));
users.use('/:userId/posts', postsRouter);
export default users;
