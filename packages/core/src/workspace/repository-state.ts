import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { headCommit, resolveRef, runGit, splitNul } from '../git/git-client';
import { changedPathsBetween } from '../git/working-state';

const gitDirectoryState = ['MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'rebase-merge', 'rebase-apply'];

/** Paths with uncommitted changes in the work tree or index (untracked files included). */
export async function dirtyPaths(root: string): Promise<string[]> {
  const output = await runGit(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none']);
  return splitNul(output)
    .filter((entry) => entry.length > 3 && entry[2] === ' ')
    .map((entry) => entry.slice(3));
}

/** Paths committed on the integration head since a checkpoint was taken. */
export async function committedSince(root: string, checkpoint: string): Promise<Set<string>> {
  const parent = await resolveRef(root, `${checkpoint}^1`);
  const head = await headCommit(root);
  if (parent === undefined || head === undefined || parent === head) return new Set();
  return new Set(await changedPathsBetween(root, parent, head));
}

/** A run cannot start on top of a merge, rebase, cherry-pick or revert the user has not finished. */
export async function refuseOperationInProgress(gitDir: string): Promise<void> {
  for (const name of gitDirectoryState) {
    if (
      await stat(join(gitDir, name)).then(
        () => true,
        () => false,
      )
    ) {
      throw new OrchestratorError({
        code: 'DIRTY_WORKTREE',
        message: `A git ${name.startsWith('rebase') ? 'rebase' : name.replace('_HEAD', '').toLowerCase().replace('_', '-')} is in progress in the project.`,
        fix: 'Finish it (commit) or abort it (`git merge --abort`, `git rebase --abort`, `git cherry-pick --abort`) before starting a run.',
      });
    }
  }
}

/** A sortable creation mark of a checkpoint (written in its message), falling back to its commit time. */
export async function checkpointOrder(root: string, checkpoint: string): Promise<string> {
  const message = await runGit(root, ['show', '-s', '--format=%ct%n%B', checkpoint]);
  const marked = /^at: (\d+)\.(\d+)$/m.exec(message);
  if (marked) return `${marked[1]?.padStart(15, '0')}.${marked[2]}`;
  return `${(message.split('\n')[0] ?? '0').padStart(12, '0')}000.000000`;
}

/** At most five paths, then how many more: for warnings. */
export function describePaths(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}
