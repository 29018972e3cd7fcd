import express from 'express';
import { createUsersRouter } from './routes/users.js';
import { db } from './db.js';

const app = express();
app.use(express.json());

const router = createUsersRouter(db);
app.use('/api/v2', router);

app.listen(3000);
