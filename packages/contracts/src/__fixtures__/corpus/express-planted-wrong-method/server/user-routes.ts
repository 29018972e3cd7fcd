import { Router } from 'express';

export function makeUserRoutes() {
  const r = Router();
  r.get('/users/:id', (_req, res) => res.json({}));
  r.patch('/users/:id', (_req, res) => res.json({}));
  return r;
}
