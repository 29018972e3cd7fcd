import express from 'express';
import router from './router.js';
import { loadSettings } from './settings.js';

const settings = loadSettings();
const app = express();
app.use(settings.apiRoot(), router);
export default app;
