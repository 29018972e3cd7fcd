import express from 'express';
import { registerRoutes } from './routes/index.js';

const app = express();
registerRoutes(app);
app.listen(3000);
