import { ts } from './lazy-typescript';
import type { ExtractedRoute, RouteExtraction, RouteMount } from './route-extractor';
import { normaliseMethod } from './route-path';
import { defaultExportName, packageImportNames, relativeImports } from './module-bindings';
import { importToken } from './import-token';
import { ScopeNames, isFunctionLike } from './scope-names';
import { StringEvaluator } from './string-evaluator';
import { assignedName, lineOf, objectProperty, parseTypeScript, receiverName, visit } from './typescript-source';

/** Middleware factories from packages, as commonly imported: `app.use(cors(), router)`. */
const KNOWN_MIDDLEWARE =
  /^(?:cors|helmet|json|urlencoded|raw|text|static|serveStatic|morgan|logger|compression|compress|cookieParser|cookieSession|session|rateLimit|limiter|csrf|csurf|multer|single|array|fields|none|any|initialize|authenticate|requireAuth|bodyParser|timeout|responseTime|methodOverride|favicon|pinoHttp|pino|expressWinston|errorHandler|validate|validator|celebrate|auth|jwt|expressjwt|checkJwt)$/i;

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all']);
/** Calls that make a router rather than an application (`Router()`, `express.Router()`, `new Router()`). */
const ROUTER_FACTORY = /(?:^|\.)(?:Router|createRouter)$/;

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

const unwrap = (expression: ts.Expression): ts.Expression => {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isAwaitExpression(current) || ts.isNonNullExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
  return current;
};

/**
 * Routes declared by calls on router objects (`app.get('/x', handler)`), with their
 * prefixes and mounts, for the Express family of frameworks. Follows routers through
 * factories (`app.use('/api', createUsersRouter(db))`), through functions that receive the
 * router (`registerRoutes(app)`), and through prefixes held in constants of this or other files.
 */
export function extractCallRoutes(file: string, text: string, options: CallRouteOptions): RouteExtraction {
  const sourceFile = parseTypeScript(file, text);
  const imports = relativeImports(sourceFile);
  const evaluator = new StringEvaluator(sourceFile, { imports });
  const scope = new ScopeNames(sourceFile);
  // `axios.get(url, config)` in server code is an outgoing call, not a route: objects imported
  // from packages are never routers (routers are made locally: `express()`, `Router()`).
  const packageBindings = packageImportNames(sourceFile);
  const routes: ExtractedRoute[] = [];
  const mounts: RouteMount[] = [];
  const ownerPrefixes: Record<string, string> = {};
  const mountedOwners = new Set<string>();
  const rootOwners = new Set<string>();
  const unresolved: Array<{ line: number; reason: string }> = [];
  const computedRoutes: Array<{ route: ExtractedRoute; reason: string }> = [];
  const importOf = (name: string) => imports.find((entry) => entry.owner === name);
  const isPath = (value: string) => value.startsWith('/') || value.startsWith('⟦') || value === '' || value === '*';

  const pathsOf = (expression: ts.Expression | undefined): string[] => {
    if (expression && ts.isArrayLiteralExpression(expression)) return expression.elements.flatMap((element) => pathsOf(element));
    const value = evaluator.value(expression);
    return value !== undefined && isPath(value) ? [value] : [];
  };
  const methodsOf = (expression: ts.Expression | undefined): string[] => {
    if (expression && ts.isArrayLiteralExpression(expression)) return expression.elements.flatMap((element) => methodsOf(element));
    const value = evaluator.value(expression);
    return value === undefined ? [] : [normaliseMethod(value)];
  };
  /** The owner key of an identifier as seen where it is used. */
  const ownerKey = (identifier: ts.Identifier) => scope.scopedAt(identifier, identifier.text);

  /** What calling `callee` gives (a factory's result), or its argument `argument` (a function that receives a router). */
  const calleeTarget = (callee: ts.Expression, argument?: number): RouteMount['target'] | undefined => {
    const suffix = argument === undefined ? '' : `(${argument})`;
    const inner = unwrap(callee);
    if (ts.isCallExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === 'require') {
      const specifier = inner.arguments[0];
      return specifier && ts.isStringLiteral(specifier) ? { module: specifier.text, exportName: `default${suffix}` } : undefined;
    }
    if (ts.isIdentifier(inner)) {
      const imported = importOf(inner.text);
      if (imported) return imported.exportName === undefined ? undefined : { module: imported.module, exportName: `${imported.exportName}${suffix}` };
      if (packageBindings.has(inner.text)) return undefined;
      return { owner: `${ownerKey(inner)}${suffix}` };
    }
    if (ts.isPropertyAccessExpression(inner) && ts.isIdentifier(inner.expression)) {
      // `orders.createRouter()` with `const orders = require('./orders')` or `import * as orders`.
      const imported = importOf(inner.expression.text);
      if (imported && (imported.exportName === undefined || imported.exportName === 'default')) return { module: imported.module, exportName: `${inner.name.text}${suffix}` };
    }
    if (isFunctionLike(inner) && argument !== undefined) return { owner: `${scope.functionName(inner)}${suffix}` };
    return undefined;
  };

  const mountTarget = (expression: ts.Expression): RouteMount['target'] | undefined => {
    let target = unwrap(expression);
    // Koa: `users.routes()`; Fastify: `import('./users')`, `require('./users')`.
    if (ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression) && target.expression.name.text === 'routes') target = target.expression.expression;
    if (ts.isCallExpression(target) && (target.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(target.expression) && target.expression.text === 'require'))) {
      const specifier = target.arguments[0];
      if (!specifier || !ts.isStringLiteral(specifier)) return undefined;
      return { module: specifier.text, exportName: options.mountStyle === 'register' ? 'default(0)' : 'default' };
    }
    // Fastify registers plugins: functions that receive the instance as their first argument.
    if (options.mountStyle === 'register') return calleeTarget(target, 0);
    // `app.use('/api', createUsersRouter(db))`: the factory's result.
    if (ts.isCallExpression(target)) return calleeTarget(target.expression);
    if (ts.isIdentifier(target)) {
      const imported = importOf(target.text);
      if (imported) return { module: imported.module, ...(imported.exportName === undefined ? {} : { exportName: imported.exportName }) };
      return { owner: ownerKey(target) };
    }
    if (ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression)) {
      // `users.router` on a namespace import or a required module.
      const imported = importOf(target.expression.text);
      if (imported && (imported.exportName === undefined || imported.exportName === 'default')) return { module: imported.module, exportName: target.name.text };
    }
    return undefined;
  };

  /**
   * The prefix of `app.use(first, router)` when `first` is not a literal: a string constant
   * (this file or imported), nothing when `first` is certainly middleware (a function, a
   * package's middleware), and otherwise a `/{NAME*}` segment (any prefix) with a reason.
   */
  const usePrefix = (first: ts.Expression, line: number): string | undefined => {
    const expression = unwrap(first);
    const value = evaluator.value(expression);
    if (value !== undefined) return isPath(value) ? value : undefined;
    if (isFunctionLike(expression)) return undefined;
    if (ts.isIdentifier(expression)) {
      if (packageBindings.has(expression.text)) return undefined;
      const imported = importOf(expression.text);
      // Imported by name: a prefix when that module exports a string by this name, else
      // middleware. A module's default export there is middleware (`require('./auth')`).
      if (imported?.exportName !== undefined && imported.exportName !== 'default') return importToken(imported.module, imported.exportName, true);
      if (imported) return undefined;
      const key = ownerKey(expression);
      if (key === expression.text && !/prefix|path|url|base|root|^[A-Z][A-Z0-9_]*$/i.test(expression.text)) return undefined;
    }
    if (ts.isCallExpression(expression)) {
      const callee = unwrap(expression.expression);
      const root = ts.isPropertyAccessExpression(callee) ? receiverName(callee.expression) : ts.isIdentifier(callee) ? callee.text : undefined;
      // `cors()`, `express.json()`, `helmet()`: middleware from packages. Other package calls may
      // compute the prefix (`config.get('apiBase')`): unknown.
      const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (root !== undefined && packageBindings.has(root) && (KNOWN_MIDDLEWARE.test(calleeName) || /^(?:express|bodyParser|passport|koa)$/i.test(root))) return undefined;
      if (ts.isIdentifier(callee) && !importOf(callee.text)) return undefined;
    }
    const name = (expression.getText(sourceFile).match(/[A-Za-z_$][\w$]*/g) ?? ['prefix']).filter((part) => part !== 'this').pop() ?? 'prefix';
    unresolved.push({ line, reason: `cannot compute the mount prefix \`${expression.getText(sourceFile).slice(0, 60)}\`: routes under it are matched by their ending` });
    return `/{${name.replace(/[^A-Za-z0-9_]/g, '')}*}`;
  };

  /** Walks `a.route('/x').get(h).post(h)` down to its root, collecting a `route('/x')` prefix. */
  const chainOf = (node: ts.CallExpression, expression: ts.Expression): { owner: string | undefined; prefix: string } => {
    let prefix = '';
    let current = expression;
    while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      const name = current.expression.name.text;
      if (name === 'route' && current.arguments.length === 1) prefix = evaluator.value(current.arguments[0]) ?? prefix;
      current = current.expression.expression;
    }
    if (ts.isIdentifier(current)) return { owner: ownerKey(current), prefix };
    if (ts.isNewExpression(current) || ts.isCallExpression(current)) {
      // `export const authors = new Hono().get('/', h).get('/:id', h)`: the chain's variable.
      let outer: ts.Node = node;
      while (ts.isPropertyAccessExpression(outer.parent) && ts.isCallExpression(outer.parent.parent) && outer.parent.parent.expression === outer.parent) outer = outer.parent.parent;
      const name = assignedName(outer);
      return { owner: name === undefined ? undefined : scope.scopedAt(outer, name), prefix };
    }
    return { owner: receiverName(current), prefix };
  };

  visit(sourceFile, (node) => {
    // Factories: a function that returns a router (`return router`) stands for it.
    if (ts.isReturnStatement(node) && node.expression) {
      const fn = scope.enclosingFunction(node);
      const returned = unwrap(node.expression);
      if (fn && (ts.isIdentifier(returned) || ts.isCallExpression(returned))) {
        const target = ts.isIdentifier(returned) ? { owner: ownerKey(returned) } : calleeTarget(returned.expression);
        const name = scope.functionName(fn);
        if (target) {
          mounts.push({ owner: name, prefix: '', line: lineOf(sourceFile, node), target });
          mountedOwners.add(name);
        }
      }
    }
    if (ts.isArrowFunction(node) && !ts.isBlock(node.body) && ts.isIdentifier(unwrap(node.body))) {
      const name = scope.functionName(node);
      mounts.push({ owner: name, prefix: '', line: lineOf(sourceFile, node), target: { owner: ownerKey(unwrap(node.body) as ts.Identifier) } });
      mountedOwners.add(name);
    }
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      const name = assignedName(node);
      const key = name === undefined ? undefined : scope.scopedAt(node, name);
      const calleeText = node.expression.getText(sourceFile);
      if (key !== undefined) {
        // Applications serve at the root; routers only once mounted.
        if (ROUTER_FACTORY.test(calleeText) || /APIRouter|Blueprint/.test(calleeText)) mountedOwners.add(key);
        else if (ts.isIdentifier(node.expression) && packageBindings.has(node.expression.text)) rootOwners.add(key);
      }
      // Owner prefixes: `new Router({ prefix: '/api' })`, `new Hono().basePath('/api')`, `router.prefix('/api')`.
      if (ts.isNewExpression(node) && key !== undefined) {
        const [first] = node.arguments ?? [];
        if (first && ts.isObjectLiteralExpression(first)) {
          const prefix = evaluator.value(objectProperty(first, 'prefix'));
          if (prefix !== undefined) ownerPrefixes[key] = prefix;
        }
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'basePath' && key !== undefined) {
        const prefix = evaluator.value(node.arguments[0]);
        if (prefix !== undefined) ownerPrefixes[key] = prefix;
      }
      // `const router = createUsersRouter(db)`: the variable is the factory's result.
      if (ts.isCallExpression(node) && key !== undefined && !(ts.isIdentifier(node.expression) && node.expression.text === 'require')) {
        const target = calleeTarget(node.expression);
        if (target) mounts.push({ owner: key, prefix: '', line: lineOf(sourceFile, node), target });
      }
      // `registerRoutes(app)`, `require('./routes')(app)`: the function receives the router.
      if (ts.isCallExpression(node)) {
        node.arguments.forEach((argument, index) => {
          if (!ts.isIdentifier(argument) || packageBindings.has(argument.text) || importOf(argument.text)) return;
          const target = calleeTarget(node.expression, index);
          if (target) mounts.push({ owner: ownerKey(argument), prefix: '', line: lineOf(sourceFile, node), target });
        });
      }
    }
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
    const method = node.expression.name.text;
    const args = node.arguments;
    const { owner, prefix: chainPrefix } = chainOf(node, node.expression.expression);
    if (!owner || packageBindings.has(owner)) return;
    const line = lineOf(sourceFile, node);

    if (method === 'prefix' && args.length === 1 && ts.isIdentifier(node.expression.expression)) {
      const prefix = evaluator.value(args[0]);
      if (prefix !== undefined) ownerPrefixes[owner] = prefix;
      return;
    }
    if (ROUTE_METHODS.has(method)) {
      const httpMethod = normaliseMethod(method === 'del' ? 'DELETE' : method);
      // In `route('/x').get(books.list)` the argument is the handler, even when it is imported.
      if (chainPrefix && args.length >= 1 && pathsOf(args[0]).filter((path) => !path.startsWith('⟦')).length === 0) {
        routes.push({ method: httpMethod, path: chainPrefix, line, owner });
        return;
      }
      if (args.length < 2) return;
      let paths = pathsOf(args[0]);
      if (options.hasNamedRoutes && paths.length === 0) paths = pathsOf(args[1]);
      const first = unwrap(args[0]!);
      const handler = unwrap(args[args.length - 1]!);
      if (
        paths.length === 0 &&
        !isFunctionLike(first) &&
        evaluator.value(first) === undefined &&
        (isFunctionLike(handler) || ts.isIdentifier(handler) || ts.isPropertyAccessExpression(handler)) &&
        (ts.isIdentifier(first) || ts.isPropertyAccessExpression(first) || ts.isTemplateExpression(first) || ts.isBinaryExpression(first) || ts.isElementAccessExpression(first))
      ) {
        // A path the code computes: the route serves some path under its router; calls meet it
        // by method. Kept only when the owner is surely a router (`map.get(key, fallback)` is not).
        computedRoutes.push({ route: { method: httpMethod, path: '/{path*}', line, owner }, reason: `cannot compute the route path \`${first.getText(sourceFile).slice(0, 60)}\`: calls under this router are not reported as unserved` });
        return;
      }
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
      const first = args[0]!;
      const prefix = args.length >= 2 ? usePrefix(first, line) : undefined;
      for (const argument of args.slice(prefix === undefined ? 0 : 1)) {
        const target = mountTarget(argument);
        if (target) mounts.push({ owner, prefix: prefix ?? '', line, target });
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
      const prefixExpression = settings && ts.isObjectLiteralExpression(settings) ? objectProperty(settings, 'prefix') : undefined;
      let prefix = prefixExpression ? evaluator.value(prefixExpression) : '';
      if (prefix === undefined) {
        unresolved.push({ line, reason: `cannot compute the plugin prefix \`${prefixExpression?.getText(sourceFile).slice(0, 60)}\`: its routes are matched by their ending` });
        prefix = '/{prefix*}';
      }
      const target = mountTarget(args[0]);
      if (target) mounts.push({ owner, prefix, line, target });
    }
  });

  const isRouter = (owner: string | undefined) =>
    owner !== undefined && (rootOwners.has(owner) || mountedOwners.has(owner) || routes.some((route) => route.owner === owner) || mounts.some((mount) => mount.owner === owner && mount.prefix !== ''));
  for (const { route, reason } of computedRoutes) {
    if (!isRouter(route.owner)) continue;
    routes.push(route);
    unresolved.push({ line: route.line, reason });
  }

  // A function's parameter that routes hang on (`function mountHealth(router)`) is its argument `(i)`.
  const owners = new Set([...routes.map((route) => route.owner), ...mounts.map((mount) => mount.owner)]);
  for (const owner of owners) {
    const separator = owner?.lastIndexOf('>') ?? -1;
    if (owner === undefined || separator < 0) continue;
    const fn = owner.slice(0, separator);
    const index = scope.parametersOf.get(fn)?.indexOf(owner.slice(separator + 1)) ?? -1;
    if (index >= 0) {
      mounts.push({ owner: `${fn}(${index})`, prefix: '', line: scope.lineOfFunction.get(fn) ?? 1, target: { owner } });
      mountedOwners.add(`${fn}(${index})`);
    }
    if (!rootOwners.has(owner)) mountedOwners.add(owner);
  }

  // An application factory (`function createApp() { const app = express(); … return app; }`)
  // serves at the root whether or not its caller is seen.
  for (const mount of mounts) {
    if ('owner' in mount.target && rootOwners.has(mount.target.owner) && mount.prefix === '') {
      mountedOwners.delete(mount.owner);
      rootOwners.add(mount.owner);
    }
  }

  const defaultExport = defaultExportName(sourceFile);
  return {
    routes,
    mounts,
    imports,
    ownerPrefixes,
    mountedOwners: [...mountedOwners],
    rootOwners: [...rootOwners],
    ...(unresolved.length > 0 ? { unresolved } : {}),
    ...(defaultExport === undefined ? {} : { defaultExport }),
  };
}
