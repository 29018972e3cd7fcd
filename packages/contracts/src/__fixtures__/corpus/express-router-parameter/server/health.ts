import type { Router } from 'express';

export function mountHealth(router: Router): void {
  router.get('/health', (_req, res) => res.json({ ok: true }));
  router.get('/health/ready', (_req, res) => res.json({ ready: true }));
}
