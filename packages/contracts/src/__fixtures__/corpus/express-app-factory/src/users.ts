import { Router } from 'express';

export function usersRouter() {
  const router = Router();
  router.get('/', (_req, res) => res.json([]));
  router.get('/:id', (_req, res) => res.json({}));
  return router;
}
