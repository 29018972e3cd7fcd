import { Router } from 'express';

export function invoicesRouter() {
  const router = Router();
  router.get('/', (_req, res) => res.json([]));
  return router;
}
