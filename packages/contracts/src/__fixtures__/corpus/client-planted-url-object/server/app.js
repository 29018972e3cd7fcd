const express = require('express');

const app = express();
app.get('/api/weather/:city', (req, res) => res.json({}));
module.exports = app;
