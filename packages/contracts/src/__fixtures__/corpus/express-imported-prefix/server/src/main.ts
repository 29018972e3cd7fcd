import express from 'express';
import { API_PREFIX, config } from './config';
import invoices from './invoices';

const app = express();
app.use(`${API_PREFIX}${config.routes.invoices}`, invoices);
app.listen(config.port);
