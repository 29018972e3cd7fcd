import { extractCallRoutes } from '../call-routes';
import type { RouteExtractor } from '../route-extractor';
import { importsModule } from '../module-bindings';
import { isScriptFile } from './script-files';

/** Koa router (`@koa/router`, `koa-router`): `router.get('/x', h)`, `new Router({ prefix })`, `router.use('/p', other.routes())`. */
export const koaExtractor: RouteExtractor = {
  name: 'koa',
  side: 'backend',
  matches: isScriptFile,
  extract(file, text) {
    // The application file (`app.use(router.routes())`) may import only `koa`.
    if (!importsModule(text, /koa|@koa\/router|koa-router|koa-tree-router/)) return [];
    return extractCallRoutes(file, text, { mountStyle: 'use', hasNamedRoutes: true });
  },
  extractMounted: (file, text) => extractCallRoutes(file, text, { mountStyle: 'use', hasNamedRoutes: true }),
};
