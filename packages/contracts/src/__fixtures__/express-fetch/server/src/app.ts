import express from 'express';
import usersRouter from './routes/users';

const app = express();
app.use(express.json());
app.use('/api', usersRouter);

app.get('/health', (_request, response) => {
  response.json({ ok: true });
});

// A settings read, not a route.
app.get('env');

export default app;
