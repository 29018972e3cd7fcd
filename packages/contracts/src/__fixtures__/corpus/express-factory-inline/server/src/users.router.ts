import express, { type Request, type Response } from 'express';

export const createUsersRouter = () => {
  const router = express.Router();
  router.get('/users', (_req: Request, res: Response) => res.json([]));
  router.delete('/users/:id', (_req: Request, res: Response) => res.sendStatus(204));
  return router;
};
