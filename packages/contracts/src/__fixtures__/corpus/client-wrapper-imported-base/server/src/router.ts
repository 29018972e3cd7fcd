import { Router } from 'express';

export function buildRouter() {
  const router = Router();
  router.get('/todos', (_req, res) => res.json([]));
  router.post('/todos', (_req, res) => res.sendStatus(201));
  router.patch('/todos/:id', (_req, res) => res.sendStatus(204));
  return router;
}
