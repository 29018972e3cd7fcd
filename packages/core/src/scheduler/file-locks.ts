import picomatch from 'picomatch';

const normalise = (path: string): string =>
  path
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/');

interface Analysed {
  isGlob: boolean;
  /** The static part of a glob (`src/api` for `src/api/**`). */
  base: string;
  /** `!pattern`: matches what is outside its base too. */
  isNegated: boolean;
  matcher: ((path: string) => boolean) | undefined;
}

// Scanning and compiling a glob costs tens of microseconds; the scheduler compares the same
// few patterns again and again, so each is analysed once. Bounded (oldest forgotten first) so
// a long-lived process that sees many plans does not grow without end.
const MAX_CACHED_PATTERNS = 10_000;
const analysed = new Map<string, Analysed>();

const analyse = (path: string): Analysed => {
  let entry = analysed.get(path);
  if (entry === undefined) {
    const scan = picomatch.scan(path);
    entry = { isGlob: scan.isGlob, base: scan.base, isNegated: scan.negated, matcher: undefined };
    // Forget the oldest pattern (a Map iterates in insertion order).
    if (analysed.size >= MAX_CACHED_PATTERNS) analysed.delete(analysed.keys().next().value!);
    analysed.set(path, entry);
  }
  return entry;
};

const matches = (glob: string, path: string): boolean => {
  const entry = analyse(glob);
  entry.matcher ??= picomatch(glob, { dot: true });
  return entry.matcher(path);
};

const isGlob = (path: string): boolean => analyse(path).isGlob;

const isSameOrInside = (inner: string, outer: string): boolean =>
  outer === '' || inner === outer || inner.startsWith(`${outer}/`);

const literalExtension = (pattern: string): string | undefined => {
  const match = /\*\.([A-Za-z0-9]+)$/.exec(pattern);
  return match?.[1];
};

/**
 * Whether two declared file patterns may touch the same file. Literal paths overlap when
 * equal or when one is a directory of the other; a glob overlaps a literal path it matches
 * (or a directory above its base); two globs overlap when their static bases are nested,
 * unless both end in different literal extensions. Errs on the side of overlap: a false
 * overlap only costs parallelism, a missed one costs a merge conflict.
 */
export function patternsOverlap(first: string, second: string): boolean {
  const a = normalise(first);
  const b = normalise(second);
  const isGlobA = isGlob(a);
  const isGlobB = isGlob(b);
  if (!isGlobA && !isGlobB) return isSameOrInside(a, b) || isSameOrInside(b, a);
  if (isGlobA !== isGlobB) {
    const [glob, literal] = isGlobA ? [a, b] : [b, a];
    const { base, isNegated } = analyse(glob);
    const isNested = isSameOrInside(base, literal) || isSameOrInside(literal, base);
    // A glob only matches paths under its static base (unless negated): skip compiling it.
    if (!isNested && !isNegated) return false;
    if (matches(glob, literal)) return true;
    if (!isNested) return false;
    // Nested: the literal may be a directory the glob reaches into, unless it is a file
    // with another extension than the one the glob asks for.
    const extension = literalExtension(glob);
    const literalFileExtension = /\.([A-Za-z0-9]+)$/.exec(literal)?.[1];
    return !(extension && literalFileExtension && extension !== literalFileExtension);
  }
  const baseA = analyse(a).base;
  const baseB = analyse(b).base;
  if (!isSameOrInside(baseA, baseB) && !isSameOrInside(baseB, baseA)) return false;
  const extensionA = literalExtension(a);
  const extensionB = literalExtension(b);
  return !(extensionA && extensionB && extensionA !== extensionB);
}

/** Whether two tasks' declared files may overlap. Tasks that declare no files hold no locks. */
export function filesOverlap(first: readonly string[], second: readonly string[]): boolean {
  for (const a of first) for (const b of second) if (patternsOverlap(a, b)) return true;
  return false;
}
