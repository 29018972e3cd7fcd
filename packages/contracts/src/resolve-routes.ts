import { posix } from 'node:path';
import type { ContractFinding, Endpoint } from '@qoder-orch/spec';
import { hasImportToken } from './import-token';
import { substituteImports } from './module-constants';
import type { RouteExtraction, RouteExtractor } from './route-extractor';
import { joinRoutePaths, normaliseRoutePath } from './route-path';

export interface FileExtraction {
  extractor: RouteExtractor;
  file: string;
  extraction: RouteExtraction;
}

const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];
const MAX_PREFIXES = 20;

/** The project files a module specifier may name, most likely first. */
export function moduleCandidates(fromFile: string, specifier: string): string[] {
  const directory = posix.dirname(fromFile);
  if (fromFile.endsWith('.py')) {
    const dots = /^\.*/.exec(specifier)?.[0].length ?? 0;
    const rest = specifier.slice(dots).split('.').filter(Boolean).join('/');
    const bases: string[] = [];
    if (dots > 0) {
      let base = directory;
      for (let level = 1; level < dots; level += 1) base = posix.dirname(base);
      bases.push(base);
    } else {
      for (let base = directory; ; base = posix.dirname(base)) {
        bases.push(base);
        if (base === '.' || base === '/' || base === '') break;
      }
    }
    return bases.flatMap((base) => {
      const joined = posix.normalize(posix.join(base, rest));
      return [`${joined}.py`, `${joined}/__init__.py`];
    });
  }
  let target: string;
  if (specifier.startsWith('.')) target = posix.normalize(posix.join(directory, specifier));
  else if (/^[@~]\//.test(specifier)) return [...moduleCandidates('src/index.ts', `./${specifier.slice(2)}`), ...moduleCandidates('index.ts', `./${specifier.slice(2)}`)];
  else return [];
  const withoutScriptExtension = target.replace(/\.(?:[cm]?js|jsx)$/, '');
  return [target, ...SCRIPT_EXTENSIONS.map((extension) => `${withoutScriptExtension}${extension}`), ...SCRIPT_EXTENSIONS.map((extension) => `${target}/index${extension}`)];
}

interface Edge {
  parent: string;
  prefix: string;
  replacesPrefix?: boolean;
}

const nodeId = (file: string, owner: string) => `${file}#${owner}`;
const splitId = (id: string) => {
  const hash = id.lastIndexOf('#');
  return { file: id.slice(0, hash), owner: id.slice(hash + 1) };
};

export interface ResolveContext {
  /** String constants of every file read (`collectModuleConstants`), for prefixes imported from other files. */
  constantsByFile?: ReadonlyMap<string, Record<string, string>>;
}

export interface ResolvedEndpoints {
  endpoints: Endpoint[];
  /** What could not be resolved, as `unresolved` warnings: never errors. */
  warnings: ContractFinding[];
}

/**
 * Turns per-file extractions of one extractor into endpoints: routes get the prefixes of
 * their owner (its own prefix, and every mount, factory or import that leads to it, across
 * files); tentative calls are kept only when their owner is an instance exported by another
 * file. A router nothing resolvable mounts, and a prefix that cannot be computed, become a
 * `{name*}` segment (any prefix: the route is matched by its ending) and a warning.
 */
export function resolveEndpoints(extractions: readonly FileExtraction[], context: ResolveContext = {}): ResolvedEndpoints {
  const byFile = new Map(extractions.map((entry) => [entry.file, entry]));
  const constantsByFile = context.constantsByFile ?? new Map<string, Record<string, string>>();
  const warnings: ContractFinding[] = [];
  const warn = (file: string, line: number | undefined, path: string, message: string) => {
    if (warnings.some((warning) => warning.file === file && warning.line === line && warning.message === message)) return;
    warnings.push({ kind: 'unresolved', method: '*', path: normaliseRoutePath(path), file, ...(line === undefined ? {} : { line }), message, severity: 'warning' });
  };
  const lookup = {
    resolveModule: (fromFile: string, specifier: string) => moduleCandidates(fromFile, specifier).find((candidate) => constantsByFile.has(candidate) || byFile.has(candidate)),
    constantsOf: (file: string) => constantsByFile.get(file),
  };
  /** A prefix or path with imported constants filled in; what is missing is reported at `line`. */
  const substitute = (text: string, file: string, line: number | undefined): string => {
    if (!hasImportToken(text)) return text;
    const reasons: string[] = [];
    const result = substituteImports(text, file, lookup, reasons);
    for (const reason of reasons) warn(file, line, result, `Could not resolve an imported prefix (${reason}): routes under it are matched by their ending.`);
    return result;
  };

  const ownersOf = (file: string): Set<string> => {
    const extraction = byFile.get(file)?.extraction;
    const owners = new Set<string>();
    if (!extraction) return owners;
    for (const route of extraction.routes) if (route.owner) owners.add(route.owner);
    for (const mount of extraction.mounts ?? []) owners.add(mount.owner);
    for (const owner of Object.keys(extraction.ownerPrefixes ?? {})) owners.add(owner);
    for (const owner of extraction.exportedOwners ?? []) owners.add(owner);
    return owners;
  };
  const resolveModule = (fromFile: string, specifier: string) => moduleCandidates(fromFile, specifier).find((candidate) => byFile.has(candidate));
  /** An export name as the target file keys it: `default` is its default export's local name. */
  const exportedAs = (file: string, exportName: string): string => {
    const match = /^default(?=$|[.(])/.exec(exportName);
    return match ? `${byFile.get(file)?.extraction.defaultExport ?? 'default'}${exportName.slice('default'.length)}` : exportName;
  };
  /** The owners of another file that an import or mount names. */
  const remoteOwners = (file: string, exportName: string | undefined): string[] => {
    const owners = ownersOf(file);
    const named = exportName === undefined ? undefined : exportedAs(file, exportName);
    if (named !== undefined && owners.has(named)) return [named];
    // Python names a module or a name in it alike (`from .routers import users`); JS names exports exactly.
    return exportName === undefined || file.endsWith('.py') ? [...owners] : [];
  };

  const parents = new Map<string, Edge[]>();
  const addEdge = (child: string, edge: Edge) => {
    const list = parents.get(child) ?? [];
    if (!list.some((existing) => existing.parent === edge.parent && existing.prefix === edge.prefix)) list.push(edge);
    parents.set(child, list);
  };
  /** Aliases: a local name that stands for an exported instance of another file. */
  const aliasOf = new Map<string, string>();
  for (const { file, extraction } of extractions) {
    for (const mount of extraction.mounts ?? []) {
      const parent = nodeId(file, mount.owner);
      const edge = { parent, prefix: substitute(mount.prefix, file, mount.line), ...(mount.replacesPrefix ? { replacesPrefix: true } : {}) };
      if ('owner' in mount.target) addEdge(nodeId(file, mount.target.owner), edge);
      else {
        const targetFile = resolveModule(file, mount.target.module);
        if (targetFile === undefined) continue;
        for (const owner of remoteOwners(targetFile, mount.target.exportName)) addEdge(nodeId(targetFile, owner), edge);
      }
    }
    for (const entry of extraction.imports ?? []) {
      const targetFile = resolveModule(file, entry.module) ?? resolveModule(file, `${entry.module}${file.endsWith('.py') ? '.' : '/'}${entry.exportName ?? ''}`);
      if (targetFile === undefined) continue;
      const remote = byFile.get(targetFile)?.extraction;
      const named = entry.exportName === undefined ? undefined : exportedAs(targetFile, entry.exportName);
      if (named === undefined || !ownersOf(targetFile).has(named)) continue;
      const child = nodeId(file, entry.owner);
      addEdge(child, { parent: nodeId(targetFile, named), prefix: '' });
      if ((remote?.exportedOwners ?? []).includes(named)) aliasOf.set(child, nodeId(targetFile, named));
    }
  }

  const ownPrefix = (id: string): string => {
    const { file, owner } = splitId(id);
    const raw = byFile.get(file)?.extraction.ownerPrefixes?.[owner];
    return raw === undefined ? '' : substitute(raw, file, undefined);
  };
  /** Whether an owner serves only once mounted (a router, a factory's result, a function's argument). */
  const isMountedOwner = (id: string): boolean => {
    const { file, owner } = splitId(id);
    const extraction = byFile.get(file)?.extraction;
    if (extraction?.rootOwners?.includes(owner)) return false;
    return (extraction?.mountedOwners ?? []).includes(owner);
  };
  const unmounted = new Set<string>();
  const memo = new Map<string, string[]>();
  const prefixesOf = (id: string, visiting: Set<string>): string[] => {
    const known = memo.get(id);
    if (known) return known;
    if (visiting.has(id)) return [];
    visiting.add(id);
    const own = ownPrefix(id);
    const edges = parents.get(id) ?? [];
    const result = new Set<string>();
    for (const edge of edges) for (const prefix of prefixesOf(edge.parent, visiting)) if (result.size < MAX_PREFIXES) result.add(joinRoutePaths(prefix, edge.prefix, edge.replacesPrefix ? '' : own));
    if (result.size === 0) {
      // Nothing we can follow mounts it: where it is served is unknown, not the root.
      if (edges.length === 0 && isMountedOwner(id)) {
        unmounted.add(id);
        result.add(joinRoutePaths('/{mount*}', own));
      } else result.add(joinRoutePaths(own));
    }
    visiting.delete(id);
    const list = [...result];
    memo.set(id, list);
    return list;
  };
  /** The unmounted router at the top of an owner's chain, for the warning. */
  const unmountedRoot = (id: string, visiting = new Set<string>()): string | undefined => {
    if (unmounted.has(id)) return id;
    if (visiting.has(id)) return undefined;
    visiting.add(id);
    for (const edge of parents.get(id) ?? []) {
      const found = unmountedRoot(edge.parent, visiting);
      if (found) return found;
    }
    return undefined;
  };

  const hostOf = (id: string, visiting: Set<string>): string | undefined => {
    const { file, owner } = splitId(id);
    const own = byFile.get(file)?.extraction.ownerHosts?.[owner];
    if (own !== undefined || visiting.has(id)) return own;
    visiting.add(id);
    for (const edge of parents.get(id) ?? []) {
      const inherited = hostOf(edge.parent, visiting);
      if (inherited !== undefined) return inherited;
    }
    return undefined;
  };

  const globalEntry = extractions.find((entry) => entry.extraction.globalPrefix !== undefined);
  const globalPrefix = globalEntry ? substitute(globalEntry.extraction.globalPrefix ?? '', globalEntry.file, undefined) : '';
  const versionPrefix = extractions.map((entry) => entry.extraction.versionPrefix).find((prefix) => prefix !== undefined);
  const defaultVersion = extractions.map((entry) => entry.extraction.defaultVersion).find((version) => version !== undefined);
  /** `@version:1@` → `v1` under URI versioning; nothing without it; `-` is version-neutral; `?` unknown. */
  const versionSegment = (version: string): string => {
    if (versionPrefix === undefined || version === '-') return '';
    const actual = version === '' ? defaultVersion : version;
    if (actual === undefined) return '';
    return actual === '?' ? '{version*}' : `${versionPrefix}${actual}`;
  };
  const endpoints: Endpoint[] = [];
  const seen = new Set<string>();
  for (const { extractor, file, extraction } of extractions) {
    for (const entry of extraction.unresolved ?? []) warn(file, entry.line, '/', `${extractor.name}: ${entry.reason}.`);
    for (const route of extraction.routes) {
      const id = route.owner === undefined ? undefined : nodeId(file, route.owner);
      if (route.isTentative && (id === undefined || !aliasOf.has(id))) continue;
      const prefixes = id === undefined ? [''] : prefixesOf(id, new Set());
      // A wrapper imported from another file may fix the method (`postJson` always POSTs).
      const aliased = id === undefined ? undefined : aliasOf.get(id);
      const fixedMethod = aliased === undefined ? undefined : byFile.get(splitId(aliased).file)?.extraction.ownerMethods?.[splitId(aliased).owner];
      const method = fixedMethod ?? route.method;
      // A call to a relative URL on a client with an absolute base goes to the base's host.
      let host = route.host ?? (id === undefined ? undefined : hostOf(id, new Set()));
      const routePath = substitute(route.path, file, route.line);
      for (const prefix of prefixes) {
        let joined = joinPreservingRelative(globalPrefix, prefix, routePath);
        // An imported base URL may bring its origin along (`http://localhost:4000/api`).
        const origin = /^\/?([a-z][a-z0-9+.-]*:)\/+([^/]+)(\/.*)?$/i.exec(joined);
        if (origin) {
          host ??= origin[2]?.toLowerCase();
          joined = origin[3] ?? '/';
        }
        joined = joined.replace(/@version:([^/@]*)@/g, (_whole, version: string) => versionSegment(version));
        const path = normaliseRoutePath(joined);
        const key = `${method} ${path} ${file}:${route.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        endpoints.push({ method, path, file, line: route.line, origin: extractor.name, ...(host === undefined ? {} : { host }) });
      }
      const root = id === undefined ? undefined : unmountedRoot(id);
      if (root !== undefined) {
        const where = splitId(root);
        warn(
          file,
          route.line,
          joinRoutePaths('{mount*}', routePath),
          extractor.side === 'backend'
            ? `Could not find where \`${where.owner}\` (${where.file}) is mounted: its routes are matched by their ending only.`
            : `Could not find the base URL of \`${where.owner}\` (${where.file}): its calls are matched by their ending only.`,
        );
      }
    }
  }
  return { endpoints, warnings };
}

function joinPreservingRelative(...parts: string[]): string {
  return joinRoutePaths(...parts.filter((part) => part !== ''));
}
