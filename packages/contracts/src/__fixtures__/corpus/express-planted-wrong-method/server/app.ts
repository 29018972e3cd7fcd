import express from 'express';
import { makeUserRoutes } from './user-routes';

const app = express();
const users = makeUserRoutes();
app.use('/api', users);
export default app;
