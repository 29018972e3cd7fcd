import express from 'express';

const app = express();
const api = express.Router();
api.get('/cart', (req, res) => res.json({}));
api.post('/cart/items', (req, res) => res.sendStatus(201));
api.delete('/cart/items/:itemId', (req, res) => res.sendStatus(204));
app.use('/api', api);
export default app;
