import { Router } from 'express';

export function createUsersRouter(db) {
  const router = Router();
  router.get('/users', async (req, res) => res.json(await db.users.all()));
  router.post('/users', async (req, res) => res.status(201).json(await db.users.create(req.body)));
  router.get('/users/:id', async (req, res) => res.json(await db.users.find(req.params.id)));
  return router;
}
