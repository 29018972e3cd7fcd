import { Router } from 'express';

const router = Router();
router.get('/audit-log', (_req, res) => res.json([]));
router.put('/settings/:key', (_req, res) => res.sendStatus(204));
export default router;
