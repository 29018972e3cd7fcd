import express from 'express';
import adminRouter from './admin';
import statusRouter from './status';

const API = '/api/v2';
const app = express();

app.use(API, statusRouter);
app.use(`${API}/admin`, adminRouter);
app.listen(4000);
