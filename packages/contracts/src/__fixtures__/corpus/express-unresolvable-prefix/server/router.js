import { Router } from 'express';

const router = Router();
router.get('/tickets', (req, res) => res.json([]));
router.post('/tickets', (req, res) => res.sendStatus(201));
export default router;
