import express from 'express';
import { API_PREFIX } from './config';
import { invoicesRouter } from './invoices';

const app = express();
app.use(`${API_PREFIX}/invoices`, invoicesRouter());
export default app;
