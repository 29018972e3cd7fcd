import express from 'express';
import { buildRouter } from './router';

const app = express();
app.use('/api', buildRouter());
export default app;
