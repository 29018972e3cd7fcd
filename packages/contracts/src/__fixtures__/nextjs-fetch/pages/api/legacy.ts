import type { NextApiRequest, NextApiResponse } from 'next';

export default function handler(request: NextApiRequest, response: NextApiResponse) {
  if (request.method === 'POST') {
    response.status(201).json({ ok: true });
    return;
  }
  response.status(405).end();
}
