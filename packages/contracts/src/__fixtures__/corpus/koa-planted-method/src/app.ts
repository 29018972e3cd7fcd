import Koa from 'koa';
import Router from '@koa/router';
import { sessionRoutes } from './sessions';

const app = new Koa();
const router = new Router();
router.use('/api/v1', sessionRoutes().routes());
app.use(router.routes());
export default app;
