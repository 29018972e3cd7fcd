import { extractCallRoutes } from '../call-routes';
import type { RouteExtractor } from '../route-extractor';
import { isScriptFile } from './script-files';

/** Fastify: `fastify.get('/x', h)`, `fastify.route({ method, url })`, `fastify.register(plugin, { prefix })`. */
export const fastifyExtractor: RouteExtractor = {
  name: 'fastify',
  side: 'backend',
  matches: isScriptFile,
  extract(file, text) {
    // Plugin files often only name Fastify in a type import or their parameter.
    if (!/fastify/i.test(text)) return [];
    return extractCallRoutes(file, text, { mountStyle: 'register', hasRouteObject: true });
  },
  extractMounted: (file, text) => extractCallRoutes(file, text, { mountStyle: 'register', hasRouteObject: true }),
};
