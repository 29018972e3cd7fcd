import express from 'express';

const app = express();
const api = express.Router();
api.get('/cart', (req, res) => res.json({}));
api.post('/cart/items', (req, res) => res.sendStatus(201));
app.use('/api', api);
export default app;
