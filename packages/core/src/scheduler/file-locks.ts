import picomatch from 'picomatch';

const normalise = (path: string): string =>
  path
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/');

const isGlob = (path: string): boolean => picomatch.scan(path).isGlob;

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
    if (picomatch(glob, { dot: true })(literal)) return true;
    const base = picomatch.scan(glob).base;
    if (!isSameOrInside(base, literal) && !isSameOrInside(literal, base)) return false;
    // Nested: the literal may be a directory the glob reaches into, unless it is a file
    // with another extension than the one the glob asks for.
    const extension = literalExtension(glob);
    const literalFileExtension = /\.([A-Za-z0-9]+)$/.exec(literal)?.[1];
    return !(extension && literalFileExtension && extension !== literalFileExtension);
  }
  const baseA = picomatch.scan(a).base;
  const baseB = picomatch.scan(b).base;
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
