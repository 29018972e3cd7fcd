import { Router } from 'express';

export const postsRouter = Router({ mergeParams: true });
postsRouter.get('/', (_req, res) => res.json([]));
