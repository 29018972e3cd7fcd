const express = require('express');
const db = require('./db');

const app = express();
app.use('/api', require('./routes')(db));
app.listen(process.env.PORT || 8080);
