import type { Task } from '@qoder-orch/spec';

/** `merging`: the agent's work is committed and waits in the merge queue (isolation `worktree`). */
export type TaskPhase = 'running' | 'merging' | 'landed' | 'conflict' | 'failed' | 'done';

/** What a git workspace knows of a task it prepared, from `prepare` to its end. */
export interface TaskRecord {
  task: Task;
  runId: string;
  attempt: number;
  phase: TaskPhase;
  /** Order of checkpoints and landed commits, for attributing shared-tree changes. */
  sequence: number;
  /** The state before the task (a commit object): its checkpoint. */
  stateCommit?: string;
  stateTree?: string;
  baseCommit: string;
  worktree?: string;
  branch?: string;
  /** The commit that brought the task's work onto the integration head. */
  landedCommit?: string;
  /** A conflict-resolution task: the files that had markers when it started. */
  conflictFiles?: string[];
}
