/** HTTP methods the extractors know. `*` stands for "any method" (a handler that takes all). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** A path segment: a literal, a parameter, or a catch-all parameter (matches one or more segments). */
type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string; isOptional: boolean };

/**
 * Normalises a route or URL path to the display form `/users/{id}`: `:id`, `${id}`, `{id}`,
 * `[id]` and Flask's `<int:id>` become `{id}`; catch-alls (`[...slug]`, `*`, `{path:path}`)
 * become `{slug*}`. Query strings, fragments, duplicate and trailing slashes are dropped.
 */
export function normaliseRoutePath(raw: string): string {
  let path = raw.trim();
  const hashIndex = path.indexOf('#');
  if (hashIndex >= 0) path = path.slice(0, hashIndex);
  const queryIndex = path.indexOf('?');
  if (queryIndex >= 0) path = path.slice(0, queryIndex);
  const segments = path
    .split('/')
    .filter((segment) => segment.length > 0)
    .map(normaliseSegment);
  return `/${segments.join('/')}`;
}

function normaliseSegment(segment: string): string {
  let match: RegExpMatchArray | null;
  if ((match = /^\[\[\.\.\.([^\]]+)\]\]$/.exec(segment))) return `{${match[1]}*?}`;
  if ((match = /^\[\.\.\.([^\]]+)\]$/.exec(segment))) return `{${match[1]}*}`;
  if ((match = /^\[([^\]]+)\]$/.exec(segment))) return `{${match[1]}}`;
  if ((match = /^\$\{\s*([^}]*?)\s*\}$/.exec(segment))) return `{${parameterName(match[1] ?? '')}}`;
  if ((match = /^:([A-Za-z0-9_]+)(\(.*\))?([?*+])?$/.exec(segment))) return match[3] === '*' || match[3] === '+' ? `{${match[1]}*}` : `{${match[1]}}`;
  if ((match = /^<(?:([A-Za-z_]+):)?([A-Za-z0-9_]+)>$/.exec(segment))) return match[1] === 'path' ? `{${match[2]}*}` : `{${match[2]}}`;
  if ((match = /^\{([A-Za-z0-9_.-]+)(:path)?\}$/.exec(segment))) return match[2] ? `{${match[1]}*}` : `{${match[1]}}`;
  if (/^\{[A-Za-z0-9_.-]+\*\??\}$/.test(segment)) return segment;
  if (segment === '*' || segment === '**') return '{wildcard*}';
  // A segment mixing text and a template expression (`user-${id}`) is one parameter.
  if (/\$\{[^}]*\}/.test(segment)) return `{${parameterName(/\$\{([^}]*)\}/.exec(segment)?.[1] ?? '')}}`;
  return segment;
}

/** `user.id` → `id`; `String(x)` → `x`; anything else → `param`. */
function parameterName(expression: string): string {
  const identifiers = expression.match(/[A-Za-z_$][A-Za-z0-9_$]*/g);
  const last = identifiers?.[identifiers.length - 1];
  return last ?? 'param';
}

function parse(path: string): Segment[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((segment): Segment => {
      const rest = /^\{(.+)\*(\?)?\}$/.exec(segment);
      if (rest) return { kind: 'rest', name: rest[1] ?? 'rest', isOptional: rest[2] === '?' };
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) return { kind: 'param', name: param[1] ?? 'param' };
      return { kind: 'literal', text: segment.toLowerCase() };
    });
}

/**
 * How two normalised paths relate:
 * - `exact`: same shape; parameters stand where parameters stand (their names do not matter).
 * - `value`: `left` has a literal where `right` has a parameter (a concrete call such as
 *   `/users/42` against `/users/{id}`); still a match.
 * - `param`: `left` has a parameter where `right` has a literal: they only meet by chance.
 * - `none`.
 */
export type PathMatch = 'exact' | 'value' | 'param' | 'none';

export function matchRoutePaths(left: string, right: string): PathMatch {
  return matchSegments(parse(left), parse(right));
}

function matchSegments(left: Segment[], right: Segment[]): PathMatch {
  // A call whose base URL is unknown (`/{API_URL*}/users`) meets any route ending the same way.
  if (left[0]?.kind === 'rest' && left.length > 1) {
    let best: PathMatch = 'none';
    for (let skip = 0; skip < right.length; skip += 1) {
      const match = matchSegments(left.slice(1), right.slice(skip));
      // Under an unknown prefix, paths that meet only through a parameter do not meet.
      if (match !== 'param' && RANK[match] < RANK[best]) best = match;
    }
    return best;
  }
  // A route under a prefix the code computes (`prefix=settings.API_V1_STR`) meets any path ending the same way.
  if (right[0]?.kind === 'rest' && right.length > 1 && left[0]?.kind !== 'rest') {
    let best: PathMatch = 'none';
    for (let skip = 0; skip < left.length; skip += 1) {
      const match = matchSegments(left.slice(skip), right.slice(1));
      if (match !== 'param' && RANK[match] < RANK[best]) best = match;
    }
    return best;
  }
  let result: PathMatch = 'exact';
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const a = left[index];
    const b = right[index];
    if (a?.kind === 'rest' && b?.kind === 'rest') return result;
    if (b?.kind === 'rest' || a?.kind === 'rest') {
      const restIsRight = b?.kind === 'rest';
      const remaining = restIsRight ? left.length - index : right.length - index;
      const rest = (restIsRight ? b : a) as Extract<Segment, { kind: 'rest' }>;
      if (remaining === 0 && !rest.isOptional) return 'none';
      return worse(result, restIsRight ? 'value' : 'param');
    }
    if (!a || !b) return 'none';
    if (a.kind === 'literal' && b.kind === 'literal') {
      if (a.text !== b.text) return 'none';
    } else if (a.kind === 'literal') result = worse(result, 'value');
    else if (b.kind === 'literal') result = worse(result, 'param');
  }
  return result;
}

const RANK: Record<PathMatch, number> = { exact: 0, value: 1, param: 2, none: 3 };
function worse(a: PathMatch, b: PathMatch): PathMatch {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Joins a prefix and a path: `('/api/', '/users')` → `/api/users`. */
export function joinRoutePaths(...parts: string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

/** The path of an absolute URL (`https://host:8080/api/x?y` → `/api/x?y`), or the text unchanged. */
export function stripUrlOrigin(url: string): string {
  const match = /^(?:[a-z][a-z0-9+.-]*:)?\/\/[^/?#]*(.*)$/i.exec(url);
  return match ? match[1] || '/' : url;
}

/** The host (with port, lower case) of an absolute URL; undefined for a path. */
export function hostOfUrl(url: string): string | undefined {
  const match = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)/i.exec(url.trim());
  return match ? (match[1] ?? '').toLowerCase() : undefined;
}

export function normaliseMethod(method: string): string {
  const upper = method.trim().toUpperCase();
  if (upper === 'ALL' || upper === 'ANY' || upper === '*' || upper === 'USE') return '*';
  return upper;
}

/** Whether a request with method `wanted` is served by a route with method `served` (GET routes answer HEAD too). */
export function methodsMatch(wanted: string, served: string): boolean {
  return wanted === served || wanted === '*' || served === '*' || (wanted === 'HEAD' && served === 'GET');
}
