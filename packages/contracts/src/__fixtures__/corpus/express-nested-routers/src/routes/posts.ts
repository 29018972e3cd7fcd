import { Router } from 'express';

const posts = Router({ mergeParams: true });
posts.get('/', (_req, res) => res.json([]));
posts.post('/', (_req, res) => res.sendStatus(201));
posts.get('/:postId', (_req, res) => res.json({}));
export default posts;
