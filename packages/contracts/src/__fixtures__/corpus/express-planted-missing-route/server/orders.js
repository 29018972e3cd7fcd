const { Router } = require('express');

function createRouter() {
  const router = Router();
  router.get('/', (req, res) => res.json([]));
  router.get('/:id', (req, res) => res.json({}));
  return router;
}

module.exports = { createRouter };
