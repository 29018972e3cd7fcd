import express from 'express';
import v1 from './v1';
import v2 from './v2';

const app = express();
app.use('/api/v1', v1);
app.use('/api/v2', v2);
export { app };
