import { Router } from 'express';

const router = Router();
const users = new Map<string, { id: string; name: string }>();

router.get('/users', (_request, response) => {
  response.json([...users.values()]);
});

router.post('/users', (request, response) => {
  response.status(201).json(request.body);
});

router.get('/users/:id', (request, response) => {
  response.json(users.get(request.params.id));
});

router
  .route('/users/:id/avatar')
  .put((_request, response) => response.sendStatus(204));

export default router;
