import { Router } from 'express';
import axios from 'axios';

const router = Router();
router.get('/', async (req, res) => {
  const { data } = await axios.get('https://api.example.com/v1/messages');
  res.json(data);
});
router.post('/', (req, res) => res.sendStatus(201));
export default router;
