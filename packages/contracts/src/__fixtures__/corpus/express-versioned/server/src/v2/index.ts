import { Router } from 'express';

const router = Router();
router.get('/accounts', (_req, res) => res.json({ items: [] }));
router.get('/accounts/:id/balance', (_req, res) => res.json({ balance: 0 }));
export default router;
