const express = require('express');

const app = express();
const router = express.Router();
router.get('/reports/:year', (req, res) => res.json({}));
router.post('/reports', (req, res) => res.sendStatus(201));
app.use('/v1', router);
app.listen(8080);
