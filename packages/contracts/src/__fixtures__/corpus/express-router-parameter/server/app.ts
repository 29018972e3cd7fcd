import express, { Router } from 'express';
import { mountHealth } from './health';
import { mountMetrics } from './metrics';

const app = express();
const api = Router();
mountHealth(api);
mountMetrics(api, { detailed: true });
app.use('/api', api);
export default app;
