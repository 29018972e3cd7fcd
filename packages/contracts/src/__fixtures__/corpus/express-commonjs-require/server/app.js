const express = require('express');
const usersRouter = require('./routes/users');
const { router: ordersRouter } = require('./routes/orders');

const app = express();
app.use('/api/users', usersRouter);
app.use('/api/orders', ordersRouter);

module.exports = app;
