const express = require('express');
const tickets = require('./tickets');

const app = express();
app.use(process.env.API_ROOT, tickets);
module.exports = app;
