const Router = require('@koa/router');

const router = new Router();
router.get('/', async (ctx) => { ctx.body = []; });
router.get('user', '/:id', async (ctx) => { ctx.body = {}; });
router.del('/:id', async (ctx) => { ctx.status = 204; });
module.exports = router;
