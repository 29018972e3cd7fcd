import type { Router } from 'express';

export const mountMetrics = (router: Router, options: { detailed: boolean }) => {
  router.get('/metrics', (_req, res) => res.json({ detailed: options.detailed }));
};
