/** One route a backend serves, or one call a frontend makes, as found in one file. */
export interface ExtractedRoute {
  /** Upper case (`GET`), or `*` for "any method". */
  method: string;
  /** As written, before prefixes (`/users/:id`, `` `${API}/users` `` already evaluated to `/api/users`). */
  path: string;
  /** 1-based. */
  line: number;
  /**
   * The object the route hangs on (`router` in `router.get(...)`), so prefixes mounted on
   * that object apply. Absent: the route's path is already complete.
   */
  owner?: string;
  /**
   * Keep the route only when `owner` turns out (through `imports`) to be a known client or
   * router of another file. For calls like `api.get('/users')` on an imported `api`.
   */
  isTentative?: boolean;
  /** For calls to absolute URLs: the host (`api.example.com:8443`), so calls to other services can be told apart. */
  host?: string;
}

/** `parent.use('/api', child)`: the child's routes are served under the parent's prefix plus `prefix`. */
export interface RouteMount {
  /** The mounting object (`app`), whose own prefixes apply first. */
  owner: string;
  prefix: string;
  line: number;
  /** A router of the same file (`{ owner }`), or one imported from a module (specifier as written). */
  target: { owner: string } | { module: string; exportName?: string };
  /** The mount's prefix replaces the target's own (Flask `register_blueprint(bp, url_prefix=…)`). */
  replacesPrefix?: boolean;
}

/** `import api from './client'`: the local `owner` is `exportName` of `module`. */
export interface RouteImport {
  owner: string;
  /** The module specifier as written (`./client`, `.routers.users` for Python). */
  module: string;
  /** `default` for default imports; absent for "the module itself". */
  exportName?: string;
}

/** What an extractor found in one file. */
export interface RouteExtraction {
  routes: ExtractedRoute[];
  mounts?: RouteMount[];
  imports?: RouteImport[];
  /** Prefixes of objects of this file (`new Router({ prefix })`, `axios.create({ baseURL })`, `basePath`). */
  ownerPrefixes?: Record<string, string>;
  /** Hosts of clients of this file whose base URL is absolute (`axios.create({ baseURL: 'https://…' })`). */
  ownerHosts?: Record<string, string>;
  /** Methods fixed by clients of this file (a `postJson(path, body)` wrapper always sends POST). */
  ownerMethods?: Record<string, string>;
  /** Objects of this file that are HTTP clients or routers other files may import. */
  exportedOwners?: string[];
  /** The local name of the default export, when it is an identifier. */
  defaultExport?: string;
  /** A prefix every route of this extractor gets (NestJS `app.setGlobalPrefix('api')`). */
  globalPrefix?: string;
  /**
   * URI versioning is on (NestJS `enableVersioning({ type: VersioningType.URI })`): route
   * segments `@version:1@` become `v1` (this prefix, then the version); without it they vanish.
   */
  versionPrefix?: string;
  /** The version of routes that name none (`enableVersioning({ defaultVersion: '1' })`). */
  defaultVersion?: string;
  /** Owners that serve nothing until something mounts them (routers, blueprints, plugins, factory results). */
  mountedOwners?: string[];
  /** Owners that are applications: they serve at the root even when nothing mounts them. */
  rootOwners?: string[];
  /** What the extractor saw but could not resolve (a prefix it cannot compute, a URL it cannot know): warnings. */
  unresolved?: Array<{ line: number; reason: string }>;
}

/**
 * Finds routes (backend) or calls (frontend) of one framework in one file. Add one to
 * `new ContractVerifier({ extractors })` to support another framework.
 *
 * @example
 * ```ts
 * // Polka declares routes like Express: reuse the Express-family reader.
 * const polkaExtractor: RouteExtractor = {
 *   name: 'polka',
 *   side: 'backend',
 *   matches: (file) => file.endsWith('.js'),
 *   extract: (file, text) => (text.includes('polka') ? extractCallRoutes(file, text, { mountStyle: 'use' }) : []),
 * };
 * new ContractVerifier({ extractors: [...DEFAULT_ROUTE_EXTRACTORS, polkaExtractor] });
 * ```
 */
export interface RouteExtractor {
  /** Recorded as each endpoint's `origin` (`express`, `fetch` …). */
  name: string;
  side: 'backend' | 'frontend';
  /** Whether to read this file; `file` is relative to the project, with `/` separators. */
  matches(file: string): boolean;
  /** The file's routes; may return a bare list when there are no mounts or prefixes. */
  extract(file: string, text: string): RouteExtraction | ExtractedRoute[] | Promise<RouteExtraction | ExtractedRoute[]>;
  /**
   * Reads a file that a file of this framework mounts or calls into, though it does not name
   * the framework itself (`module.exports = (app) => { app.use('/api/users', users) }`).
   */
  extractMounted?(file: string, text: string): RouteExtraction | ExtractedRoute[] | Promise<RouteExtraction | ExtractedRoute[]>;
}
