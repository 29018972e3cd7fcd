import { Router } from 'express';

const router = Router();
router.get('/', (req, res) => res.json([]));
router.post('/', (req, res) => res.sendStatus(201));
export default router;
