import { Router } from 'express';

const router = Router();
router.get('/accounts', (_req, res) => res.json([]));
export default router;
