const express = require('express');
const router = express.Router();

router.post('/', (req, res) => res.status(201).end());
router.get('/:orderId', (req, res) => res.json({}));

module.exports = { router };
