import { Router } from 'express';

const invoices = Router();
invoices.get('/', (_req, res) => res.json([]));
invoices.get('/:invoiceId/pdf', (_req, res) => res.send(''));
invoices.post('/:invoiceId/send', (_req, res) => res.sendStatus(202));
export default invoices;
