import express from 'express';
import cors from 'cors';
import helmet from 'helmet';
import routes from './routes/index.js';

const app = express();
app.use(cors());
app.use(helmet());
app.use(express.json());
app.use(express.static('public'));
routes(app);
app.listen(3000);
