import { Router } from 'express';

const status = Router();
status.get('/status', (_req, res) => res.json({ ok: true }));
export default status;
