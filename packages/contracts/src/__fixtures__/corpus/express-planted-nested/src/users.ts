import { Router } from 'express';
import { postsRouter } from './posts';

export const usersRouter = Router();
usersRouter.get('/:userId', (_req, res) => res.json({}));
usersRouter.use('/:userId/posts', postsRouter);
