import { extractCallRoutes } from '../call-routes';
import type { RouteExtractor } from '../route-extractor';
import { importsModule } from '../module-bindings';
import { isScriptFile } from './script-files';

/** Express: `app.get('/x', h)`, `router.route('/x').get(h)`, `app.use('/api', router)` (also across files). */
export const expressExtractor: RouteExtractor = {
  name: 'express',
  side: 'backend',
  matches: isScriptFile,
  extract(file, text) {
    if (!importsModule(text, 'express')) return [];
    return extractCallRoutes(file, text, { mountStyle: 'use' });
  },
  extractMounted: (file, text) => extractCallRoutes(file, text, { mountStyle: 'use' }),
};
