import Router from '@koa/router';

export function sessionRoutes() {
  const router = new Router({ prefix: '/sessions' });
  router.get('/', async (ctx) => { ctx.body = []; });
  router.delete('/:id', async (ctx) => { ctx.status = 204; });
  return router;
}
