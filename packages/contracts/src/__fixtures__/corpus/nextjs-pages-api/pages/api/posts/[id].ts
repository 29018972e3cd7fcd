import type { NextApiRequest, NextApiResponse } from 'next';

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === 'GET') return res.json({});
  if (req.method === 'PUT') return res.json({});
  res.status(405).end();
}
