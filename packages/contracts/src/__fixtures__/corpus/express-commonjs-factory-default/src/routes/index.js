const express = require('express');

module.exports = function (db) {
  const router = express.Router();
  router.get('/products', async (req, res) => res.json(await db.products()));
  router.get('/products/:sku', async (req, res) => res.json(await db.product(req.params.sku)));
  router.post('/cart', async (req, res) => res.json(await db.addToCart(req.body)));
  return router;
};
