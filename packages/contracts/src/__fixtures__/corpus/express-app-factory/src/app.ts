import express from 'express';
import { usersRouter } from './users';

export function createApp() {
  const app = express();
  app.use(express.json());
  app.use('/api/users', usersRouter());
  app.get('/healthz', (_req, res) => res.send('ok'));
  return app;
}
