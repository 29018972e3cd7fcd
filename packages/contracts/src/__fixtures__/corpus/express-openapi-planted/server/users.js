import express from 'express';

export const createUsersRouter = () => {
  const router = express.Router();
  router.get('/users', (req, res) => res.json([]));
  router.get('/users/:id', (req, res) => res.json({}));
  return router;
};
