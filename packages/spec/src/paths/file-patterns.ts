import picomatch from 'picomatch';

const normalise = (path: string): string =>
  path
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/');

const literalExtension = (pattern: string): string | undefined => {
  const match = /\*\.([A-Za-z0-9]+)$/.exec(pattern);
  return match?.[1];
};

interface Analysed {
  /** The pattern normalised (forward slashes, no `./`, no trailing or doubled slashes). */
  path: string;
  isGlob: boolean;
  /** The static part of a glob (`src/api` for `src/api/**`). */
  base: string;
  /** `!pattern`: matches what is outside its base too. */
  isNegated: boolean;
  /** The extension a glob ends in (`ts` for `*.ts`). */
  globExtension: string | undefined;
  /** The extension a literal path ends in. */
  fileExtension: string | undefined;
  matcher: ((path: string) => boolean) | undefined;
}

// Normalising, scanning and compiling a pattern costs microseconds to tens of them; the
// scheduler compares the same few patterns again and again, so each is analysed once.
// Bounded (oldest forgotten first) so a long-lived process that sees many plans does not
// grow without end.
const MAX_CACHED_PATTERNS = 10_000;
const analysed = new Map<string, Analysed>();

const analyse = (pattern: string): Analysed => {
  let entry = analysed.get(pattern);
  if (entry === undefined) {
    const path = normalise(pattern);
    const scan = picomatch.scan(path);
    entry = {
      path,
      isGlob: scan.isGlob,
      base: scan.base,
      isNegated: scan.negated,
      globExtension: literalExtension(path),
      fileExtension: /\.([A-Za-z0-9]+)$/.exec(path)?.[1],
      matcher: undefined,
    };
    // Forget the oldest pattern (a Map iterates in insertion order).
    if (analysed.size >= MAX_CACHED_PATTERNS) analysed.delete(analysed.keys().next().value!);
    analysed.set(pattern, entry);
  }
  return entry;
};

const matches = (glob: Analysed, path: string): boolean => {
  glob.matcher ??= picomatch(glob.path, { dot: true });
  return glob.matcher(path);
};

const SLASH = 47;
const isSameOrInside = (inner: string, outer: string): boolean => outer === '' || inner === outer || (inner.length > outer.length && inner.charCodeAt(outer.length) === SLASH && inner.startsWith(outer));

/**
 * Whether two declared file patterns may touch the same file. Literal paths overlap when
 * equal or when one is a directory of the other; a glob overlaps a literal path it matches
 * (or a directory above its base); two globs overlap when their static bases are nested,
 * unless both end in different literal extensions. Errs on the side of overlap: a false
 * overlap only costs parallelism, a missed one costs a merge conflict.
 */
export function patternsOverlap(first: string, second: string): boolean {
  const a = analyse(first);
  const b = analyse(second);
  if (!a.isGlob && !b.isGlob) return isSameOrInside(a.path, b.path) || isSameOrInside(b.path, a.path);
  if (a.isGlob !== b.isGlob) {
    const [glob, literal] = a.isGlob ? [a, b] : [b, a];
    const isNested = isSameOrInside(glob.base, literal.path) || isSameOrInside(literal.path, glob.base);
    // A glob only matches paths under its static base (unless negated): skip compiling it.
    if (!isNested && !glob.isNegated) return false;
    if (matches(glob, literal.path)) return true;
    if (!isNested) return false;
    // Nested: the literal may be a directory the glob reaches into, unless it is a file
    // with another extension than the one the glob asks for.
    return !(glob.globExtension && literal.fileExtension && glob.globExtension !== literal.fileExtension);
  }
  if (!isSameOrInside(a.base, b.base) && !isSameOrInside(b.base, a.base)) return false;
  return !(a.globExtension && b.globExtension && a.globExtension !== b.globExtension);
}

/** Whether two tasks' declared files may overlap. Tasks that declare no files hold no locks. */
export function filesOverlap(first: readonly string[], second: readonly string[]): boolean {
  for (const a of first) for (const b of second) if (patternsOverlap(a, b)) return true;
  return false;
}
