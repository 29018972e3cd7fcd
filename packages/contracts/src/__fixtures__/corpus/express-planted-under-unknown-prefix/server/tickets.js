const { Router } = require('express');

const router = Router();
router.get('/tickets', (req, res) => res.json([]));
router.get('/tickets/:id', (req, res) => res.json({}));
module.exports = router;
