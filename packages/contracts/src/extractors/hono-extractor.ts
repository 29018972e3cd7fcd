import { extractCallRoutes } from '../call-routes';
import type { RouteExtractor } from '../route-extractor';
import { importsModule } from '../module-bindings';
import { isScriptFile } from './script-files';

/** Hono: `app.get('/x', h)`, `app.on('PUT', '/x', h)`, `new Hono().basePath('/api')`, `app.route('/users', users)`. */
export const honoExtractor: RouteExtractor = {
  name: 'hono',
  side: 'backend',
  matches: isScriptFile,
  extract(file, text) {
    if (!importsModule(text, 'hono')) return [];
    return extractCallRoutes(file, text, { mountStyle: 'route', hasOnMethod: true });
  },
  extractMounted: (file, text) => extractCallRoutes(file, text, { mountStyle: 'route', hasOnMethod: true }),
};
