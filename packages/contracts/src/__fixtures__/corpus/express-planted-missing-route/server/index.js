const express = require('express');
const orders = require('./orders');

const app = express();
app.use('/api/orders', orders.createRouter());
app.listen(3000);
