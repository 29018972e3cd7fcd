const Router = require('@koa/router');

const router = new Router({ prefix: '/api' });

router.get('/books', (ctx) => {
  ctx.body = [];
});

router.get('book', '/books/:id', (ctx) => {
  ctx.body = { id: ctx.params.id };
});

router.post('/books', (ctx) => {
  ctx.status = 201;
});

module.exports = router;
