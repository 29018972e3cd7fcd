import type { Task } from '@qoder-orch/spec';

export interface ExecutionContext {
  /** Which parallel slot runs it, 0-based (for the timeline). */
  slot: number;
  abortSignal: AbortSignal;
  /**
   * Gives the slot back before the task finishes: what is left of it is not agent work (its
   * merge waits in a queue). Another task may start in the slot; the task's dependents and file
   * locks still wait for its outcome. Calls after the first do nothing.
   */
  releaseSlot?: () => void;
}

/** How a finished task ended, as far as scheduling is concerned. */
export type ExecutionOutcome = 'completed' | 'failed' | 'cancelled';

/**
 * The seam between scheduling and running: the scheduler decides what runs when, an
 * executor runs one task. The orchestrator's executor runs tasks in-process through a
 * provider; a distributed executor (a queue engine, remote workers) implements the same
 * interface without touching the scheduler.
 */
export interface TaskExecutor {
  execute(task: Task, context: ExecutionContext): Promise<ExecutionOutcome>;
  /**
   * Runs several tasks in one agent invocation (batch processing); one outcome per task, in
   * order. Only called when the scheduler has a batch policy.
   */
  executeBatch?(tasks: readonly Task[], context: ExecutionContext): Promise<ExecutionOutcome[]>;
  /**
   * Speculative execution: does the agent's part of a task whose dependencies are still
   * running, in isolation, and holds the result until they finish. Only called when the
   * scheduler is speculative.
   */
  speculate?(task: Task, context: ExecutionContext): Promise<Speculation>;
}

/** Work done ahead of its dependencies, waiting for them. */
export interface Speculation {
  /**
   * Every dependency completed: keep the work if what they changed does not touch what it
   * read or wrote (an outcome), or `'rerun'` when it must run again normally.
   */
  confirm(context: ExecutionContext): Promise<ExecutionOutcome | 'rerun'>;
  /** A dependency failed or the run stopped: throw the work away. */
  abandon(): Promise<void>;
}
