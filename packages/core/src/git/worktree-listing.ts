import { resolve, sep } from 'node:path';
import { splitNul } from './git-client';
import { POOL_FOLDER } from './worktree-pool';

/** One of our task worktrees, as git lists it. */
export interface ListedWorktree {
  path: string;
  /** The run and task it belongs to (as ref components), read from its place. */
  runId: string;
  taskId: string;
  branch?: string;
  head?: string;
  /** Git will not prune it (`git worktree lock`). */
  isLocked: boolean;
  /** Its directory is gone; only git's bookkeeping is left. */
  isPrunable: boolean;
  /**
   * A slot of the pool of reusable worktrees (`<folder>/.pool/<k>`): its run and task are those
   * of the task branch it holds, both empty when it is idle (detached).
   */
  isPoolSlot?: boolean;
}

/** Our task worktrees in `git worktree list --porcelain -z` output: those under one of `folders` (a pool slot under `<folder>/.pool`). */
export function parseWorktreeList(output: string, folders: readonly string[]): ListedWorktree[] {
  const worktrees: ListedWorktree[] = [];
  let current: ListedWorktree | undefined;
  for (const field of splitNul(output)) {
    if (field.startsWith('worktree ')) {
      const path = resolve(field.slice('worktree '.length));
      const folder = folders.find((candidate) => path.startsWith(`${candidate}${sep}`));
      const [runId = '', taskId = ''] = folder === undefined ? [] : path.slice(folder.length + 1).split(sep);
      current = runId === POOL_FOLDER ? { path, runId: '', taskId: '', isLocked: false, isPrunable: false, isPoolSlot: true } : { path, runId, taskId, isLocked: false, isPrunable: false };
      if (folder !== undefined) worktrees.push(current);
    } else if (current !== undefined) {
      if (field.startsWith('HEAD ')) current.head = field.slice(5);
      else if (field.startsWith('branch ')) {
        current.branch = field.slice('branch refs/heads/'.length);
        // A slot belongs to the task whose branch it holds.
        const [prefix, runId = '', taskId = '', ...rest] = current.branch.split('/');
        if (current.isPoolSlot === true && prefix === 'qoder-orch' && rest.length === 0) Object.assign(current, { runId, taskId });
      } else if (field === 'locked' || field.startsWith('locked ')) current.isLocked = true;
      else if (field === 'prunable' || field.startsWith('prunable ')) current.isPrunable = true;
    }
  }
  return worktrees;
}
