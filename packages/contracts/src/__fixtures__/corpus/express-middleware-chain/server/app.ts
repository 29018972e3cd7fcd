import express from 'express';
import rateLimit from 'express-rate-limit';
import { authenticate } from './auth';
import projects from './projects';

const app = express();
const limiter = rateLimit({ windowMs: 60_000, max: 100 });
app.use('/api/projects', authenticate, limiter, projects);
export default app;
