import { Router } from 'express';

const router = Router();
router.post('/login', (req, res) => res.json({ token: 't' }));
router.post('/logout', (req, res) => res.sendStatus(204));
export default router;
