import express from 'express';
import { createUsersRouter } from './users.js';

const app = express();
const router = createUsersRouter();
app.use('/api/v2', router);
export default app;
