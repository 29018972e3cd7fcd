/** Frontend sources: scripts and single-file components (Vue, Svelte). */
export function isFrontendFile(file: string): boolean {
  return isScriptFile(file) || /\.(?:vue|svelte)$/.test(file);
}

/** JavaScript and TypeScript sources, but not declaration files. */
export function isScriptFile(file: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/.test(file) && !/\.d\.[cm]?ts$/.test(file);
}

/** A relative (or `@/`, `~/` aliased) import or require somewhere in the text. */
export const RELATIVE_IMPORT = /(?:from\s*|require\(\s*|import\(\s*)['"](?:\.{1,2}\/|@\/|~\/)/;
