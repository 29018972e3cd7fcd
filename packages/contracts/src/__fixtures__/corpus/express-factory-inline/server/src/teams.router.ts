import { Router } from 'express';

interface Options { pageSize: number }

export function createTeamsRouter(options: Options): Router {
  const teams = Router();
  teams.get('/', (_req, res) => res.json({ pageSize: options.pageSize, items: [] }));
  teams.post('/:teamId/members', (_req, res) => res.sendStatus(201));
  return teams;
}
