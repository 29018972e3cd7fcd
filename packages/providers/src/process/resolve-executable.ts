import { findExecutable } from './find-executable';

/**
 * The executable to run: the explicit `executable` setting when given (a path, or a name looked
 * up like the defaults), else the first of `names` found in the project's `node_modules/.bin`
 * or on `PATH`.
 */
export function resolveExecutable(explicit: string | undefined, names: readonly string[], cwd: string | undefined): string | undefined {
  const candidates = explicit === undefined ? names : [explicit];
  return findExecutable(candidates, { cwd: cwd ?? process.cwd() }) ?? (explicit !== undefined && explicit.includes('/') ? explicit : undefined);
}
