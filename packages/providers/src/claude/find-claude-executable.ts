import { findExecutable } from '../process/find-executable';

/**
 * The `claude` executable this project would run: from `node_modules/.bin` of `cwd` (and its
 * parents, and this package's), then from `PATH`. `undefined` when Claude Code is not installed.
 */
export function findClaudeExecutable(cwd: string = process.cwd()): string | undefined {
  return findExecutable(['claude'], { cwd });
}
