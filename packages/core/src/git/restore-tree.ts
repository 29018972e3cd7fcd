import { rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { forPathBatches, LITERAL_PATHSPECS, runGit } from './git-client';
import { repositoryPath } from './path-guard';
import { withTemporaryIndex, workingTree } from './temporary-index';
import { treeChanges } from './working-state';

export interface RestoreTreeOptions {
  /** Restore only these repository-relative paths; others keep their current state. @default every path */
  paths?: Iterable<string>;
}

/**
 * Makes the working tree of `root` match `target` (a tree or commit), byte for byte, modes and
 * symlinks included: files that differ are rewritten, files `target` lacks are removed (with
 * directories left empty by that), files it has are recreated. Ignored files are never touched,
 * and neither are HEAD, the index or the stash list. Returns the paths it changed.
 */
export async function restoreTree(root: string, target: string, options: RestoreTreeOptions = {}): Promise<string[]> {
  const current = await workingTree(root);
  let changes = await treeChanges(root, current, target);
  if (options.paths !== undefined) {
    const wanted = new Set([...options.paths].map((path) => repositoryPath(root, path)));
    changes = changes.filter((change) => wanted.has(change.path));
  }
  // Deletions first, so a file can replace a directory (and the reverse).
  const removed = changes.filter((change) => change.status === 'D').map((change) => change.path);
  for (const path of removed) await rm(join(root, repositoryPath(root, path)), { force: true });
  await removeEmptyParents(root, removed);
  const written = changes.filter((change) => change.status !== 'D').map((change) => change.path);
  if (written.length > 0) {
    await withTemporaryIndex(
      root,
      async (env) => {
        await forPathBatches(written, (batch) => runGit(root, ['checkout-index', '-f', '--', ...batch], { env: { ...env, ...LITERAL_PATHSPECS } }));
      },
      { fromTree: target },
    );
  }
  return changes.map((change) => change.path);
}

/** Removes directories that removing `paths` left empty, deepest first, never `root` itself. */
async function removeEmptyParents(root: string, paths: readonly string[]): Promise<void> {
  const directories = new Set<string>();
  for (const path of paths) {
    for (let directory = dirname(path); directory !== '.' && directory !== ''; directory = dirname(directory)) directories.add(directory);
  }
  const deepestFirst = [...directories].sort((left, right) => right.split('/').length - left.split('/').length);
  for (const directory of deepestFirst) await rmdir(join(root, directory)).catch(() => undefined);
}
