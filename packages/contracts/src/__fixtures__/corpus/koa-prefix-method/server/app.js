const Koa = require('koa');
const Router = require('koa-router');

const app = new Koa();
const router = new Router();
router.prefix('/api');
router.get('/weather/:city', async (ctx) => { ctx.body = {}; });
app.use(router.routes());
app.listen(3000);
