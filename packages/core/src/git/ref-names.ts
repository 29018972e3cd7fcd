/** Where qoder-orch keeps its private refs. Never under refs/heads, refs/tags or refs/stash. */
export const PRIVATE_REF_ROOT = 'refs/qoder-orch';
/** The private directory inside the project (worktrees, run files). Ignored via `.git/info/exclude`. */
export const PRIVATE_DIRECTORY = '.qoder-orch';

/**
 * Makes a run or task id safe as one ref component: letters, digits, `.`, `_`, `-`, with no
 * `..`, no leading `.` and no `.lock` suffix. Ids matching `TASK_ID_PATTERN` map to themselves
 * unless they contain `..`.
 */
export function refComponent(value: string): string {
  let component = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, (dots) => '_'.repeat(dots.length));
  if (component.startsWith('.')) component = `_${component.slice(1)}`;
  if (component.endsWith('.lock')) component = `${component.slice(0, -'.lock'.length)}_lock`;
  if (component.endsWith('.')) component = `${component.slice(0, -1)}_`;
  return component.length === 0 ? '_' : component;
}

export const checkpointRef = (runId: string, taskId: string) => `${PRIVATE_REF_ROOT}/checkpoints/${refComponent(runId)}/${refComponent(taskId)}`;
export const snapshotRef = (runId: string) => `${PRIVATE_REF_ROOT}/snapshots/${refComponent(runId)}`;
/** Work that was set aside rather than deleted: a retried attempt, a rolled-back worktree, a crash's leftovers. */
export const leftoverRef = (runId: string, taskId: string, label: string) => `${PRIVATE_REF_ROOT}/leftovers/${refComponent(runId)}/${refComponent(taskId)}/${refComponent(label)}`;
/** Marks a run that ended in failure, so its checkpoints survive `pruneCheckpoints({ keepFailed: true })`. */
export const failedRunRef = (runId: string) => `${PRIVATE_REF_ROOT}/failed-runs/${refComponent(runId)}`;
/** The branch a task works on in its own worktree. */
export const taskBranch = (runId: string, taskId: string) => `qoder-orch/${refComponent(runId)}/${refComponent(taskId)}`;
/** The directory of a task's worktree, relative to the project. */
export const taskWorktreePath = (runId: string, taskId: string) => `${PRIVATE_DIRECTORY}/worktrees/${refComponent(runId)}/${refComponent(taskId)}`;
/** A set-aside snapshot of the user's uncommitted work after it was put back in the work tree (kept as a safety net until pruned). */
export const restoredSnapshotRef = (runId: string) => `${PRIVATE_REF_ROOT}/snapshots-restored/${refComponent(runId)}`;
/** The commit that brought a task's work onto the integration head (its merge commit, or its own commit in shared mode). */
export const taskCommitRef = (runId: string, taskId: string) => `${PRIVATE_REF_ROOT}/merges/${refComponent(runId)}/${refComponent(taskId)}`;
