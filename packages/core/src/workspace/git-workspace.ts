import type { TaskWorkspace } from '../git/task-workspace';
import type { GitWorkspaceOptions } from './git-workspace-options';
import { SharedTreeWorkspace } from './shared-tree-workspace';
import { WorktreeWorkspace } from './worktree-workspace';

export type { GitWorkspaceOptions } from './git-workspace-options';
export { SharedTreeWorkspace } from './shared-tree-workspace';
export { WorktreeWorkspace } from './worktree-workspace';

/**
 * The git workspace: the run's work lands as commits on the branch checked out in the project
 * (the integration head). `isolation` picks the strategy: `WorktreeWorkspace` or
 * `SharedTreeWorkspace`; both share one `GitRun` for what does not depend on where tasks work.
 *
 * - `begin` refuses a dirty work tree (`DIRTY_WORKTREE`) unless `allowDirty`; then the user's
 *   uncommitted work (working files, untracked files, the index) is set aside under
 *   `refs/qoder-orch/snapshots/<run>` and the tree returns to HEAD. `end` puts it back on top of
 *   the run's commits (three-way; a conflict leaves it at its ref and says how to restore it).
 *   A crashed run's set-aside work is put back by the next `begin`.
 * - `prepare` takes a checkpoint (`refs/qoder-orch/checkpoints/<run>/<task>`) and, with
 *   isolation `worktree`, creates the task's worktree and branch from the integration head.
 * - `complete` commits the task's work. With `worktree`, a merge queue (one at a time, in
 *   completion order) merges the branch with `--no-ff` semantics computed by
 *   `git merge-tree`, so a conflict never writes markers anywhere; the merge commit is recorded
 *   at `refs/qoder-orch/merges/<run>/<task>` and `verifyAfterMerge` runs on the merged tree,
 *   in a pool worktree checked out at the merge (never the project checkout: see `inCheckCheckout`).
 *   With `shared`, only the files that task changed are committed.
 * - `discard({ isRollback: true })` restores the task's checkpoint (only its files in a shared
 *   tree) or removes its worktree; work replaced is kept under `refs/qoder-orch/leftovers/`.
 *   A task whose work already landed is reverted.
 *
 * Every git operation on the main repository goes through one queue, so parallel tasks can call
 * `prepare`/`complete`/`discard` at once.
 */
export function createGitWorkspace(options: GitWorkspaceOptions): TaskWorkspace {
  return options.isolation === 'worktree' ? new WorktreeWorkspace(options) : new SharedTreeWorkspace(options);
}
