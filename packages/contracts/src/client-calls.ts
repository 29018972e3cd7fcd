import { ts } from './lazy-typescript';
import type { ExtractedRoute, RouteExtraction, RouteMount } from './route-extractor';
import { HTTP_METHODS, hostOfUrl, normaliseMethod, stripUrlOrigin } from './route-path';
import { defaultExportName, importsModule, relativeImports } from './module-bindings';
import { StringEvaluator } from './string-evaluator';
import { assignedName, lineOf, objectProperty, parseTypeScript, visit } from './typescript-source';

/** Names of variables that hold a whole path rather than one segment's value. */
const PATH_FRAGMENT_NAME = /^(?:path|pathname|url|uri|endpoint|route|resource|input|suffix|href|target)$/i;

/** Identifiers that are the URL or a direct part of it (template spans, `+` operands). */
function directIdentifiers(expression: ts.Expression | undefined): Set<string> {
  const names = new Set<string>();
  const walk = (current: ts.Expression | undefined) => {
    if (!current) return;
    if (ts.isParenthesizedExpression(current)) walk(current.expression);
    else if (ts.isIdentifier(current)) names.add(current.text);
    else if (ts.isTemplateExpression(current)) for (const span of current.templateSpans) walk(span.expression);
    else if (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      walk(current.left);
      walk(current.right);
    }
  };
  walk(expression);
  return names;
}

/** `http.get` for the function in `const http = { get: (path) => … }`. */
function objectMethodName(fn: ts.Node): string | undefined {
  const property = fn.parent;
  if (!property || !ts.isPropertyAssignment(property) || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) return undefined;
  const object = property.parent;
  const owner = ts.isObjectLiteralExpression(object) ? assignedName(object) : undefined;
  return owner === undefined || owner === 'default' ? undefined : `${owner}.${property.name.text}`;
}

interface Wrapper {
  name: string;
  /** Which argument is the URL. */
  urlIndex: number;
  /** Which argument is the method, when the wrapper takes it (`request('GET', path)`). */
  methodIndex?: number;
}

/** The function around `node` when `parameter` is one of its parameters (and it has a name), with the URL's (and method's) position. */
function enclosingWrapper(node: ts.Node, parameter: string, methodParameter: string | undefined): Wrapper | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isFunctionDeclaration(current) || ts.isArrowFunction(current) || ts.isFunctionExpression(current)) {
      const names = current.parameters.map((declaration) => (ts.isIdentifier(declaration.name) ? declaration.name.text : ''));
      const urlIndex = names.indexOf(parameter);
      if (urlIndex < 0) continue;
      const name = ts.isFunctionDeclaration(current) ? current.name?.text : (assignedName(current) ?? objectMethodName(current));
      if (name === undefined) return undefined;
      const methodIndex = methodParameter === undefined ? -1 : names.indexOf(methodParameter);
      return { name, urlIndex, ...(methodIndex >= 0 ? { methodIndex } : {}) };
    }
  }
  return undefined;
}

const SWR_HOOKS = new Set(['useSWR', 'useSWRImmutable']);

const VERB_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
/** Files served as they are, not API calls (unless under an `/api` path). */
const STATIC_FILE = /\.(?:json|svg|png|jpe?g|gif|webp|avif|ico|txt|csv|xml|html?|css|m?js|map|wasm|woff2?|ttf|md)$/i;

export type ClientLibrary = 'fetch' | 'axios' | 'ky';

/** A URL as a path, or undefined when it is not one we can check (unknown, or a static file). */
export function callPath(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const path = stripUrlOrigin(url.trim());
  if (/^(?:data|blob|mailto|tel|javascript|ws|wss):/i.test(path)) return undefined;
  const withoutQuery = path.split(/[?#]/)[0] ?? '';
  if (STATIC_FILE.test(withoutQuery) && !/(^|\/)api(\/|$)/.test(withoutQuery)) return undefined;
  return path;
}

/**
 * HTTP calls a frontend makes with `fetch`, axios or ky: string, template and concatenated
 * URLs (constants of the same file resolved), methods from the call or its options, instances
 * with base URLs (`axios.create({ baseURL })`, `ky.create({ prefixUrl })`), and calls on
 * instances imported from other files (kept when the import resolves to an instance).
 */
export function extractClientCalls(file: string, text: string, library: ClientLibrary): RouteExtraction {
  const sourceFile = parseTypeScript(file, text);
  const evaluator = new StringEvaluator(sourceFile);
  const imports = relativeImports(sourceFile);
  const importedOwners = new Set(imports.map((entry) => entry.owner));
  const isLibraryImported = library === 'fetch' || importsModule(text, library);
  const usesSwr = library === 'fetch' && importsModule(text, 'swr');
  const routes: ExtractedRoute[] = [];
  const ownerPrefixes: Record<string, string> = {};
  const ownerHosts: Record<string, string> = {};
  const exportedOwners: string[] = [];
  const instances = new Set<string>();
  /** Local functions that call the library with `prefix + theirParameter`: `request('/users')`. */
  const wrappers = new Map<string, { method?: string; urlIndex: number; methodIndex?: number }>();
  const ownerMethods: Record<string, string> = {};
  const mounts: RouteMount[] = [];
  const unresolved: Array<{ line: number; reason: string }> = [];
  let isDiscovering = true;

  const methodFrom = (options: ts.Expression | undefined, fallback: string): string => {
    if (!options) return fallback;
    if (!ts.isObjectLiteralExpression(options)) return '*';
    const method = objectProperty(options, 'method');
    if (method) {
      const value = evaluator.value(method);
      return value === undefined ? '*' : normaliseMethod(value);
    }
    return options.properties.some(ts.isSpreadAssignment) ? '*' : fallback;
  };
  /** The name of the identifier given as `options.method`, when it is one (a wrapper's parameter). */
  const methodName = (options: ts.Expression | undefined): string | undefined => {
    const method = options && ts.isObjectLiteralExpression(options) ? objectProperty(options, 'method') : undefined;
    return method && ts.isIdentifier(method) ? method.text : undefined;
  };
  const push = (urlExpression: ts.Expression | undefined, method: string, node: ts.Node, owner?: string, isTentative?: boolean, options?: ts.Expression) => {
    const parts = evaluator.partsOrUnknown(urlExpression);
    if (!parts) return;
    const last = parts[parts.length - 1];
    const before = parts[parts.length - 2];
    // The last part is a whole path, not one segment's value: the whole URL, glued to the text
    // before it (`${API}${path}`), or named like a path (`${API}/${endpoint}`).
    const isPathFragment = last !== undefined && typeof last !== 'string' && (before === undefined || typeof before !== 'string' || !before.endsWith('/') || PATH_FRAGMENT_NAME.test(last.unknown));
    if (last !== undefined && typeof last !== 'string' && isPathFragment) {
      // Only a parameter that is itself (part of) the URL makes a wrapper: not `endpoints[name]`.
      const found = directIdentifiers(urlExpression).has(last.unknown) ? enclosingWrapper(node, last.unknown, methodName(options)) : undefined;
      const wrapper = found?.name;
      if (found && wrapper) {
        // `const request = (path, init) => fetch(API + path, init)`: calls of `request` are the calls.
        if (isDiscovering) {
          const prefix = StringEvaluator.renderBase(parts.slice(0, -1)) ?? '';
          const base = callPath(prefix) ?? '';
          const host = hostOfUrl(prefix);
          wrappers.set(wrapper, { urlIndex: found.urlIndex, ...(found.methodIndex === undefined ? {} : { methodIndex: found.methodIndex }), ...(method === '*' ? {} : { method }) });
          instances.add(wrapper);
          exportedOwners.push(wrapper);
          if (owner === undefined) {
            ownerPrefixes[wrapper] = base;
            if (host !== undefined) ownerHosts[wrapper] = host;
          } else mounts.push({ owner, prefix: base, line: lineOf(sourceFile, node), target: { owner: wrapper } });
          if (method !== '*') ownerMethods[wrapper] = method;
        }
        return;
      }
      // A path from elsewhere (`${API}${path}` outside a named function) cannot be checked.
      if (!isDiscovering) unresolved.push({ line: lineOf(sourceFile, node), reason: `cannot know the URL \`${urlExpression?.getText(sourceFile).slice(0, 60)}\` statically: the call is not checked` });
      return;
    }
    if (isDiscovering) return;
    const url = StringEvaluator.render(parts);
    const path = callPath(url);
    if (url === undefined && !isTentative) unresolved.push({ line: lineOf(sourceFile, node), reason: `cannot know the URL \`${urlExpression?.getText(sourceFile).slice(0, 60)}\` statically: the call is not checked` });
    if (url === undefined || path === undefined) return;
    const host = hostOfUrl(url);
    routes.push({
      method,
      path,
      line: lineOf(sourceFile, node),
      ...(owner === undefined ? {} : { owner }),
      ...(isTentative ? { isTentative } : {}),
      ...(host === undefined ? {} : { host }),
    });
  };
  /**
   * A call of a function imported from another file that may be a fetch wrapper there: the
   * URL is the first argument that reads as a path, the method a verb argument before it
   * (`request('GET', '/users')`) or the options after it.
   */
  const pushImported = (node: ts.CallExpression, owner: string) => {
    const index = node.arguments.findIndex((argument) => {
      const url = evaluator.url(argument);
      return url !== undefined && /^(?:\/|https?:\/\/|\{)/.test(url);
    });
    if (index < 0) return;
    const verb = node.arguments
      .slice(0, index)
      .map((argument) => evaluator.value(argument))
      .find((value) => value !== undefined && HTTP_METHODS.includes(value.toUpperCase() as (typeof HTTP_METHODS)[number]));
    push(node.arguments[index], verb === undefined ? methodFrom(node.arguments[index + 1], 'GET') : normaliseMethod(verb), node, owner, true);
  };
  /** `axios(config)` / `axios(url, config)` / `ky(url, options)`. */
  const pushDirect = (node: ts.CallExpression, owner: string | undefined, isTentative: boolean) => {
    const [first, second] = node.arguments;
    if (!first) return;
    if (library === 'axios' && ts.isObjectLiteralExpression(first)) push(objectProperty(first, 'url'), methodFrom(first, 'GET'), node, owner, isTentative);
    else push(first, methodFrom(second, 'GET'), node, owner, isTentative, second);
  };

  // Instances first, so calls above their declaration still resolve.
  visit(sourceFile, (node) => {
    if (!isLibraryImported || library === 'fetch' || !ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
    const callee = node.expression;
    if (!ts.isIdentifier(callee.expression) || callee.expression.text !== library || !['create', 'extend'].includes(callee.name.text)) return;
    const name = assignedName(node);
    if (!name) return;
    instances.add(name);
    exportedOwners.push(name);
    const [settings] = node.arguments;
    if (settings && ts.isObjectLiteralExpression(settings)) {
      const baseUrl = StringEvaluator.renderBase(evaluator.partsOrUnknown(objectProperty(settings, library === 'axios' ? 'baseURL' : 'prefixUrl')));
      const base = callPath(baseUrl);
      if (base !== undefined) ownerPrefixes[name] = base;
      const host = baseUrl === undefined ? undefined : hostOfUrl(baseUrl);
      if (host !== undefined) ownerHosts[name] = host;
    }
  });

  const visitCall = (node: ts.Node) => {
    if (!ts.isCallExpression(node)) return;
    const callee = node.expression;
    // `request(path)`, or a method of a wrapper object: `http.get(path)`.
    const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? `${callee.expression.text}.${callee.name.text}` : undefined;
    const wrapper = calleeName === undefined ? undefined : wrappers.get(calleeName);
    if (calleeName !== undefined && wrapper) {
      const url = node.arguments[wrapper.urlIndex];
      const methodArgument = wrapper.methodIndex === undefined ? undefined : evaluator.value(node.arguments[wrapper.methodIndex]);
      const method = wrapper.methodIndex !== undefined ? (methodArgument === undefined ? '*' : normaliseMethod(methodArgument)) : (wrapper.method ?? methodFrom(node.arguments[wrapper.urlIndex + 1], 'GET'));
      push(url, method, node, calleeName, false, node.arguments[wrapper.urlIndex + 1]);
      return;
    }
    if (library === 'fetch') {
      const isFetch =
        (ts.isIdentifier(callee) && callee.text === 'fetch') ||
        (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch' && ts.isIdentifier(callee.expression) && ['window', 'globalThis', 'self'].includes(callee.expression.text));
      if (isFetch) push(node.arguments[0], methodFrom(node.arguments[1], 'GET'), node, undefined, false, node.arguments[1]);
      // SWR keys are the URLs its fetcher GETs: `useSWR('/api/user', fetcher)`, `useSWR(['/api/user', token], …)`.
      else if (usesSwr && ts.isIdentifier(callee) && SWR_HOOKS.has(callee.text) && node.arguments[0]) {
        const key = node.arguments[0];
        const url = ts.isArrayLiteralExpression(key) ? key.elements[0] : key;
        const value = url && !ts.isSpreadElement(url) ? evaluator.url(url) : undefined;
        if (value !== undefined && /^(?:\/|https?:\/\/)/.test(value)) push(url as ts.Expression, 'GET', node);
      }
      // A function imported from another file may be a fetch wrapper there.
      else if (ts.isIdentifier(callee) && importedOwners.has(callee.text) && node.arguments.length > 0) pushImported(node, callee.text);
      // `http.del(path)` on an object imported from another file, whose methods may be fetch wrappers there.
      else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && importedOwners.has(callee.expression.text) && node.arguments.length > 0) {
        const imported = imports.find((entry) => entry.owner === (callee.expression as ts.Identifier).text);
        const owner = `${callee.expression.text}.${callee.name.text}`;
        if (imported && !imports.some((entry) => entry.owner === owner)) {
          imports.push({ owner, module: imported.module, exportName: imported.exportName === undefined ? callee.name.text : `${imported.exportName}.${callee.name.text}` });
        }
        pushImported(node, owner);
      }
      return;
    }
    if (ts.isIdentifier(callee)) {
      if (callee.text === library && isLibraryImported) pushDirect(node, undefined, false);
      else if (instances.has(callee.text)) pushDirect(node, callee.text, false);
      else if (importedOwners.has(callee.text) && node.arguments.length > 0) pushDirect(node, callee.text, true);
      return;
    }
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return;
    const receiver = callee.expression.text;
    const verb = callee.name.text;
    let owner: string | undefined;
    let isTentative = false;
    if (receiver === library && isLibraryImported) owner = undefined;
    else if (instances.has(receiver)) owner = receiver;
    else if (importedOwners.has(receiver)) {
      owner = receiver;
      isTentative = true;
    } else return;
    if (VERB_METHODS.has(verb)) {
      const configIndex = ['post', 'put', 'patch'].includes(verb) ? 2 : 1;
      const options = node.arguments[configIndex];
      push(node.arguments[0], library === 'ky' ? normaliseMethod(verb) : options && ts.isObjectLiteralExpression(options) && objectProperty(options, 'method') ? methodFrom(options, verb) : normaliseMethod(verb), node, owner, isTentative);
    } else if (verb === 'request' && library === 'axios') {
      const [config] = node.arguments;
      if (config && ts.isObjectLiteralExpression(config)) push(objectProperty(config, 'url'), methodFrom(config, 'GET'), node, owner, isTentative);
    }
  };
  // First find the wrappers (a call may come before the function it calls), then record.
  visit(sourceFile, visitCall);
  isDiscovering = false;
  visit(sourceFile, visitCall);

  const defaultExport = defaultExportName(sourceFile);
  return {
    routes,
    imports,
    mounts,
    ownerPrefixes,
    ownerHosts,
    ownerMethods,
    exportedOwners,
    ...(unresolved.length > 0 ? { unresolved } : {}),
    ...(defaultExport === undefined ? {} : { defaultExport }),
  };
}
