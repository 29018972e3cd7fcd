import express from 'express';
import config from 'config';
import tickets from './tickets.js';

const app = express();
app.use(config.get('apiBase'), tickets);
export default app;
