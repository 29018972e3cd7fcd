import type { GitRun } from './git-run';
import { poolSlotIndex } from '../git/worktree-pool';

/**
 * The name a merge check's worktree goes by (its branch is `qoder-orch/<run>/_merge-check`): no
 * task can have it (a task id starts with a letter or digit).
 */
export const MERGE_CHECK_ID = '_merge-check';

/**
 * Runs `check` in a worktree of the pool checked out at `commit` and provisioned like a task's
 * (its own slot's ports), then gives the slot back. A task's checks after its merge run there,
 * not in the project checkout: a runner that walks its whole folder (Node 20's `node --test`
 * walks `.git`) never meets the lock files other tasks' commits and agents' git commands make
 * and remove in the shared git directory meanwhile, and what the checks write stays out of the
 * user's checkout. `taskId` is the task whose checks these are (its provisioning events).
 */
export async function inCheckCheckout<T>(run: GitRun, commit: string, taskId: string, check: (cwd: string, environment: Readonly<Record<string, string>>) => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
  const runId = run.requireRun();
  const worktree = await run.worktrees.add(runId, MERGE_CHECK_ID, commit);
  try {
    const slot = poolSlotIndex(worktree.path) ?? 0;
    const provisioned = await run.provisioner.provision(worktree.path, { slot, taskId, ...(abortSignal === undefined ? {} : { abortSignal }) });
    return await check(worktree.path, provisioned.environment);
  } finally {
    // What the checks wrote there is looked at (and kept, if anything but ignored files) by the slot's next reset.
    await run.worktrees.remove(runId, MERGE_CHECK_ID, { committed: commit });
  }
}
