import ts from 'typescript';
import type { ExtractedRoute, RouteExtraction, RouteMount } from './route-extractor';
import { normaliseMethod } from './route-path';
import { defaultExportName, packageImportNames, relativeImports } from './module-bindings';
import { StringEvaluator } from './string-evaluator';
import { assignedName, lineOf, objectProperty, parseTypeScript, receiverName, visit } from './typescript-source';

/** Names that hold a path prefix rather than a router or middleware (`API_PREFIX`, `basePath`). */
const isPrefixName = (name: string) => /prefix|path|url|base/i.test(name) || /^[A-Z][A-Z0-9_]*$/.test(name);

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all']);

export interface CallRouteOptions {
  /** How routers mount others: Express/Koa `use('/p', r)`, Hono `route('/p', r)`, Fastify `register(r, { prefix })`. */
  mountStyle: 'use' | 'route' | 'register';
  /** Fastify `route({ method, url })`. */
  hasRouteObject?: boolean;
  /** Hono `on('GET', '/p', h)`. */
  hasOnMethod?: boolean;
  /** Koa `router.get('name', '/p', h)`. */
  hasNamedRoutes?: boolean;
}

/**
 * Routes declared by calls on router objects (`app.get('/x', handler)`), with their
 * prefixes and mounts, for the Express family of frameworks.
 */
export function extractCallRoutes(file: string, text: string, options: CallRouteOptions): RouteExtraction {
  const sourceFile = parseTypeScript(file, text);
  const evaluator = new StringEvaluator(sourceFile);
  const imports = relativeImports(sourceFile);
  // `axios.get(url, config)` in server code is an outgoing call, not a route: objects imported
  // from packages are never routers (routers are made locally: `express()`, `Router()`).
  const packageBindings = packageImportNames(sourceFile);
  const routes: ExtractedRoute[] = [];
  const mounts: RouteMount[] = [];
  const ownerPrefixes: Record<string, string> = {};

  const pathsOf = (expression: ts.Expression | undefined): string[] => {
    if (expression && ts.isArrayLiteralExpression(expression)) return expression.elements.flatMap((element) => pathsOf(element));
    const value = evaluator.value(expression);
    return value !== undefined && (value.startsWith('/') || value === '' || value === '*') ? [value] : [];
  };
  const methodsOf = (expression: ts.Expression | undefined): string[] => {
    if (expression && ts.isArrayLiteralExpression(expression)) return expression.elements.flatMap((element) => methodsOf(element));
    const value = evaluator.value(expression);
    return value === undefined ? [] : [normaliseMethod(value)];
  };
  const mountTarget = (expression: ts.Expression): RouteMount['target'] | undefined => {
    let target = expression;
    // Koa: `users.routes()`; Fastify: `import('./users')`, `require('./users')`.
    if (ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression) && target.expression.name.text === 'routes') target = target.expression.expression;
    if (ts.isCallExpression(target) && (target.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(target.expression) && target.expression.text === 'require'))) {
      const specifier = target.arguments[0];
      return specifier && ts.isStringLiteral(specifier) ? { module: specifier.text, exportName: 'default' } : undefined;
    }
    if (ts.isIdentifier(target)) {
      const imported = imports.find((entry) => entry.owner === target.text);
      if (imported) return { module: imported.module, ...(imported.exportName === undefined ? {} : { exportName: imported.exportName }) };
      return { owner: target.text };
    }
    if (ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression)) {
      // `users.router` on a namespace import.
      const namespace = imports.find((entry) => entry.owner === (target.expression as ts.Identifier).text && entry.exportName === undefined);
      if (namespace) return { module: namespace.module, exportName: target.name.text };
    }
    return undefined;
  };

  /** `app.use(config.API_PREFIX, router)`: a prefix the code computes, as `/{API_PREFIX*}`. */
  const computedPrefix = (expression: ts.Expression): string | undefined => {
    if (evaluator.value(expression) !== undefined) return undefined;
    const name = ts.isIdentifier(expression) ? expression.text : ts.isPropertyAccessExpression(expression) ? expression.name.text : undefined;
    if (name === undefined || !isPrefixName(name)) return undefined;
    return `/{${name}*}`;
  };

  /** Walks `a.route('/x').get(h).post(h)` down to its root, collecting a `route('/x')` prefix. */
  const chainOf = (expression: ts.Expression): { owner: string | undefined; prefix: string } => {
    let prefix = '';
    let current = expression;
    while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      const name = current.expression.name.text;
      if (name === 'route' && current.arguments.length === 1) prefix = evaluator.value(current.arguments[0]) ?? prefix;
      current = current.expression.expression;
    }
    return { owner: receiverName(current), prefix };
  };

  visit(sourceFile, (node) => {
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      // Owner prefixes: `new Router({ prefix: '/api' })`, `new Hono().basePath('/api')`, `router.prefix('/api')`.
      const name = assignedName(node);
      if (ts.isNewExpression(node) && name) {
        const [first] = node.arguments ?? [];
        if (first && ts.isObjectLiteralExpression(first)) {
          const prefix = evaluator.value(objectProperty(first, 'prefix'));
          if (prefix !== undefined) ownerPrefixes[name] = prefix;
        }
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'basePath' && name) {
        const prefix = evaluator.value(node.arguments[0]);
        if (prefix !== undefined) ownerPrefixes[name] = prefix;
      }
    }
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
    const method = node.expression.name.text;
    const args = node.arguments;
    const { owner, prefix: chainPrefix } = chainOf(node.expression.expression);
    if (!owner || packageBindings.has(owner)) return;
    const line = lineOf(sourceFile, node);

    if (method === 'prefix' && args.length === 1 && ts.isIdentifier(node.expression.expression)) {
      const prefix = evaluator.value(args[0]);
      if (prefix !== undefined) ownerPrefixes[owner] = prefix;
      return;
    }
    if (ROUTE_METHODS.has(method)) {
      const httpMethod = normaliseMethod(method === 'del' ? 'DELETE' : method);
      if (chainPrefix && args.length >= 1 && pathsOf(args[0]).length === 0) {
        routes.push({ method: httpMethod, path: chainPrefix, line, owner });
        return;
      }
      if (args.length < 2) return;
      let paths = pathsOf(args[0]);
      if (options.hasNamedRoutes && paths.length === 0) paths = pathsOf(args[1]);
      for (const path of paths) routes.push({ method: httpMethod, path: `${chainPrefix}${path}`, line, owner });
      return;
    }
    if (options.hasRouteObject && method === 'route' && args.length === 1 && args[0] && ts.isObjectLiteralExpression(args[0])) {
      const object = args[0];
      const paths = pathsOf(objectProperty(object, 'url') ?? objectProperty(object, 'path'));
      for (const httpMethod of methodsOf(objectProperty(object, 'method'))) for (const path of paths) routes.push({ method: httpMethod, path, line, owner });
      return;
    }
    if (options.hasOnMethod && method === 'on' && args.length >= 3) {
      for (const httpMethod of methodsOf(args[0])) for (const path of pathsOf(args[1])) routes.push({ method: httpMethod, path, line, owner });
      return;
    }
    if (options.mountStyle === 'use' && method === 'use' && args.length >= 1) {
      const computed = args.length >= 2 && args[0] ? computedPrefix(args[0]) : undefined;
      const hasPrefix = pathsOf(args[0]).length > 0 || computed !== undefined;
      const prefix = computed ?? (hasPrefix ? (pathsOf(args[0])[0] ?? '') : '');
      for (const argument of args.slice(hasPrefix ? 1 : 0)) {
        const target = mountTarget(argument);
        if (target) mounts.push({ owner, prefix, line, target });
      }
      return;
    }
    if (options.mountStyle === 'route' && method === 'route' && args.length === 2) {
      const prefix = evaluator.value(args[0]);
      const target = args[1] ? mountTarget(args[1]) : undefined;
      if (prefix !== undefined && target) mounts.push({ owner, prefix, line, target });
      return;
    }
    if (options.mountStyle === 'register' && method === 'register' && args[0]) {
      const settings = args[1];
      const prefix = settings && ts.isObjectLiteralExpression(settings) ? (evaluator.value(objectProperty(settings, 'prefix')) ?? '') : '';
      const target = mountTarget(args[0]);
      if (target) mounts.push({ owner, prefix, line, target });
    }
  });

  const defaultExport = defaultExportName(sourceFile);
  return {
    routes,
    mounts,
    imports,
    ownerPrefixes,
    ...(defaultExport === undefined ? {} : { defaultExport }),
  };
}
