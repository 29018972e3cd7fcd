import type { Request, Response } from 'express';

export class ProductController {
  list = (_req: Request, res: Response) => res.json([]);
  show = (_req: Request, res: Response) => res.json({});
  create = (_req: Request, res: Response) => res.sendStatus(201);
}
