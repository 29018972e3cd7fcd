import type { SerializedError } from '@qoder-orch/spec';
import type { OrchestratorError, ProviderError } from '@qoder-orch/spec';
import type { CheckChange } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import type { AgentEvent } from '@qoder-orch/spec';

/** Who a task is, as every task event names it. */
export interface TaskIdentity {
  taskId: string;
  title: string;
  agent: string;
  slot: number;
  iteration: number;
  /** Started ahead of its running dependencies (speculative execution). */
  isSpeculative?: boolean;
}

/**
 * What a {@link TaskPipeline} tells its listeners, in the order a task meets them:
 * `task-start` once, then per attempt `checkpoint`, `attempt`, `output`…, `spend`, and on a
 * transient failure `rollback` + `retry`; then `verify`, `merge` (with `check-change`,
 * `undeclared-change`, `conflict-kept` as evidence), `rollback` when the work is thrown away,
 * and `task-finish` with the result. Agent output and errors are redacted before they are emitted.
 */
export interface TaskPipelineEvents {
  /** The pipeline took the task (once per task, before its first attempt). */
  'task-start': [event: TaskIdentity];
  /** An attempt begins in `cwd` (the task's worktree, or the project). */
  attempt: [event: TaskIdentity & { attempt: number; cwd: string }];
  /** The workspace took a checkpoint before the task changed anything. */
  checkpoint: [event: { taskId: string; checkpoint: string; ref: string }];
  /** One event of the agent, redacted, for every task it works on (several in a batch); `transcriptId` names the transcript it belongs to. */
  output: [event: { taskIds: string[]; transcriptId: string; event: AgentEvent }];
  /** An attempt failed transiently; the next one starts after `delayMs`. */
  retry: [event: { taskId: string; attempt: number; delayMs: number; error: SerializedError }];
  /** The task's changes were thrown away back to its checkpoint. */
  rollback: [event: { taskId: string; checkpoint: string; reason: string }];
  /** The provider was rate limited or overloaded (a hint to lower concurrency). */
  'rate-limit': [event: { taskId: string; error: ProviderError }];
  /** Money the agent spent (also on failures); a listener can stop the run on a budget. */
  spend: [event: { taskIds: string[]; costUsd: number }];
  /** The task's own checks ran (before its merge; refused checks included). */
  verify: [event: { taskId: string; results: VerificationResult[]; isPassed: boolean }];
  /** The task's work was committed and merged (or conflicted). */
  merge: [event: { taskId: string; commit?: string; hasConflict: boolean; conflictFiles: string[] }];
  /** The task changed the checks themselves (evidence against it). */
  'check-change': [event: { taskId: string; changes: CheckChange[] }];
  /** The task changed files it did not declare. */
  'undeclared-change': [event: { taskId: string; declared: string[]; files: string[] }];
  /** A conflicting merge's work is kept at `ref`. */
  'conflict-kept': [event: { taskId: string; ref: string; baseCommit: string; files: string[] }];
  /** Speculative work was thrown away; `wastedMs` is the time it had run. */
  'speculation-discarded': [event: { taskId: string; wastedMs: number; reason: string }];
  /** The task ended (completed, failed or cancelled) with this result. */
  'task-finish': [event: { taskId: string; result: TaskResult }];
  /** The executor cannot go on (its queue is lost): the run stops, resumable, and the task is cancelled, not failed. */
  'stop-run': [event: { taskId: string; error: OrchestratorError }];
  /** Something went wrong that does not end the task (a discard, a wiki proposal, a batch that fell back). */
  warning: [event: { code: string; message: string }];
}

export type TaskPipelineEventName = keyof TaskPipelineEvents;
