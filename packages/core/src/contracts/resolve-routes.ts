import { posix } from 'node:path';
import type { Endpoint } from './contract-report';
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
  return [
    target,
    ...SCRIPT_EXTENSIONS.map((extension) => `${withoutScriptExtension}${extension}`),
    ...SCRIPT_EXTENSIONS.map((extension) => `${target}/index${extension}`),
  ];
}

interface Edge {
  parent: string;
  prefix: string;
}

const nodeId = (file: string, owner: string) => `${file}#${owner}`;

/**
 * Turns per-file extractions of one extractor into endpoints: routes get the prefixes of
 * their owner (its own prefix, and every mount or import that leads to it, across files);
 * tentative calls are kept only when their owner is an instance exported by another file.
 */
export function resolveEndpoints(extractions: readonly FileExtraction[]): Endpoint[] {
  const byFile = new Map(extractions.map((entry) => [entry.file, entry]));
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
  /** The owners of another file that an import or mount names. */
  const remoteOwners = (file: string, exportName: string | undefined): string[] => {
    const owners = ownersOf(file);
    // `export default axios.create(...)` has no local name: its owner is called `default`.
    const named = exportName === 'default' ? (byFile.get(file)?.extraction.defaultExport ?? 'default') : exportName;
    if (named !== undefined && owners.has(named)) return [named];
    return [...owners];
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
      if ('owner' in mount.target) addEdge(nodeId(file, mount.target.owner), { parent, prefix: mount.prefix });
      else {
        const targetFile = resolveModule(file, mount.target.module);
        if (targetFile === undefined) continue;
        for (const owner of remoteOwners(targetFile, mount.target.exportName)) addEdge(nodeId(targetFile, owner), { parent, prefix: mount.prefix });
      }
    }
    for (const entry of extraction.imports ?? []) {
      const targetFile = resolveModule(file, entry.module) ?? resolveModule(file, `${entry.module}${file.endsWith('.py') ? '.' : '/'}${entry.exportName ?? ''}`);
      if (targetFile === undefined) continue;
      const remote = byFile.get(targetFile)?.extraction;
      const named = entry.exportName === 'default' ? (remote?.defaultExport ?? 'default') : entry.exportName;
      if (named === undefined || !ownersOf(targetFile).has(named)) continue;
      const child = nodeId(file, entry.owner);
      addEdge(child, { parent: nodeId(targetFile, named), prefix: '' });
      if ((remote?.exportedOwners ?? []).includes(named)) aliasOf.set(child, nodeId(targetFile, named));
    }
  }

  const ownPrefix = (id: string): string => {
    const hash = id.lastIndexOf('#');
    return byFile.get(id.slice(0, hash))?.extraction.ownerPrefixes?.[id.slice(hash + 1)] ?? '';
  };
  const memo = new Map<string, string[]>();
  const prefixesOf = (id: string, visiting: Set<string>): string[] => {
    const known = memo.get(id);
    if (known) return known;
    if (visiting.has(id)) return [];
    visiting.add(id);
    const own = ownPrefix(id);
    const edges = parents.get(id) ?? [];
    const result = new Set<string>();
    for (const edge of edges) for (const prefix of prefixesOf(edge.parent, visiting)) if (result.size < MAX_PREFIXES) result.add(joinRoutePaths(prefix, edge.prefix, own));
    if (result.size === 0) result.add(joinRoutePaths(own));
    visiting.delete(id);
    const list = [...result];
    memo.set(id, list);
    return list;
  };

  const hostOf = (id: string, visiting: Set<string>): string | undefined => {
    const hash = id.lastIndexOf('#');
    const own = byFile.get(id.slice(0, hash))?.extraction.ownerHosts?.[id.slice(hash + 1)];
    if (own !== undefined || visiting.has(id)) return own;
    visiting.add(id);
    for (const edge of parents.get(id) ?? []) {
      const inherited = hostOf(edge.parent, visiting);
      if (inherited !== undefined) return inherited;
    }
    return undefined;
  };

  const globalPrefix = extractions.map((entry) => entry.extraction.globalPrefix).find((prefix) => prefix !== undefined) ?? '';
  const endpoints: Endpoint[] = [];
  const seen = new Set<string>();
  for (const { extractor, file, extraction } of extractions) {
    for (const route of extraction.routes) {
      const id = route.owner === undefined ? undefined : nodeId(file, route.owner);
      if (route.isTentative && (id === undefined || !aliasOf.has(id))) continue;
      const prefixes = id === undefined ? [''] : prefixesOf(id, new Set());
      // A wrapper imported from another file may fix the method (`postJson` always POSTs).
      const aliased = id === undefined ? undefined : aliasOf.get(id);
      const fixedMethod = aliased === undefined ? undefined : byFile.get(aliased.slice(0, aliased.lastIndexOf('#')))?.extraction.ownerMethods?.[aliased.slice(aliased.lastIndexOf('#') + 1)];
      const method = fixedMethod ?? route.method;
      // A call to a relative URL on a client with an absolute base goes to the base's host.
      const host = route.host ?? (id === undefined ? undefined : hostOf(id, new Set()));
      for (const prefix of prefixes) {
        const path = normaliseRoutePath(joinPreservingRelative(globalPrefix, prefix, route.path));
        const key = `${method} ${path} ${file}:${route.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        endpoints.push({ method, path, file, line: route.line, origin: extractor.name, ...(host === undefined ? {} : { host }) });
      }
    }
  }
  return endpoints;
}

function joinPreservingRelative(...parts: string[]): string {
  return joinRoutePaths(...parts.filter((part) => part !== ''));
}
