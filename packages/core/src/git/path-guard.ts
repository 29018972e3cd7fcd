import { isAbsolute, relative, resolve, sep } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';

/**
 * The repository-relative, `/`-separated form of `path` (absolute, or relative to `root`).
 * Refuses anything that resolves outside `root`, and the repository's own `.git`.
 *
 * @throws OrchestratorError `PATH_OUTSIDE_PROJECT`
 */
export function repositoryPath(root: string, path: string): string {
  const absolute = isAbsolute(path) ? resolve(path) : resolve(root, path);
  const inside = relative(root, absolute);
  const isOutside = inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  const normalised = inside.split(sep).join('/');
  if (isOutside || normalised === '.git' || normalised.startsWith('.git/')) {
    throw new OrchestratorError({
      code: 'PATH_OUTSIDE_PROJECT',
      message: `Refusing ${JSON.stringify(path)}: it is not a file inside the repository at ${root}.`,
      fix: 'Name files by paths relative to the repository root, without ".." and outside .git.',
    });
  }
  return normalised;
}
