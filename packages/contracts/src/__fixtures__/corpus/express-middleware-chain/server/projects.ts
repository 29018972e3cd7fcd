import { Router } from 'express';

const projects = Router();
projects.get('/', (_req, res) => res.json([]));
projects.post('/:projectId/archive', (_req, res) => res.sendStatus(204));
export default projects;
