import { EventEmitter } from 'eventemitter3';
import type { ExecutionContext, ExecutionOutcome, Speculation, TaskExecutor } from '../scheduler/task-executor';
import type { Task } from '@qoder-orch/spec';
import type { TaskResult } from '@qoder-orch/spec';
import type { TaskPipelineEvents } from './pipeline-events';
import type { TaskPipelineOptions } from './pipeline-options';
import { PipelineSteps, resolveOptions } from './pipeline-steps';
import { runBatch } from './run-batch';
import { runSingle } from './run-single';
import { speculate } from './speculate';

function outcomeOf(result: TaskResult): ExecutionOutcome {
  return result.status === 'completed' ? 'completed' : result.status === 'cancelled' ? 'cancelled' : 'failed';
}

/**
 * Runs tasks through the same steps: prepare the workspace (checkpoint, worktree) → project
 * knowledge → prompt → the agent through its provider (transient failures retried after a
 * rollback) → the task's own checks → commit and merge, or roll back. Three variations of
 * those steps: one task (`run`), several small tasks in one agent call (`runBatch`), and work
 * ahead of running dependencies (`speculate`).
 *
 * It is a {@link TaskExecutor}, so a Scheduler can drive it directly; every finished task is
 * also announced as `task-finish` with its result (see {@link TaskPipelineEvents}).
 */
export class TaskPipeline extends EventEmitter<TaskPipelineEvents> implements TaskExecutor {
  readonly #steps: PipelineSteps;

  constructor(options: TaskPipelineOptions) {
    super();
    this.#steps = new PipelineSteps(resolveOptions(options), this);
  }

  /** Runs one task to its end; never throws for the task's own failures (they are in the result). */
  async run(task: Task, { slot, abortSignal, releaseSlot }: ExecutionContext): Promise<TaskResult> {
    this.emit('task-start', this.#steps.identity(task, slot));
    return this.#finished(await runSingle(this.#steps, task, slot, abortSignal, releaseSlot));
  }

  /**
   * Runs several small tasks of one subagent in one agent call, each with its own checkpoint,
   * checks, commit and result (in the order given). Meant for a shared tree (a non-isolated
   * workspace) and tasks with disjoint files; when the call fails, each task runs on its own.
   */
  async runBatch(tasks: readonly Task[], { slot, abortSignal }: ExecutionContext): Promise<TaskResult[]> {
    if (tasks.length === 0) return [];
    for (const task of tasks) this.emit('task-start', this.#steps.identity(task, slot));
    // Tasks the fallback runs on their own are announced as they finish, not again at the end.
    const announced = new Set<TaskResult>();
    const runAlone = async (task: Task) => {
      const result = this.#finished(await runSingle(this.#steps, task, slot, abortSignal));
      announced.add(result);
      return result;
    };
    const results = await runBatch(this.#steps, tasks, slot, abortSignal, runAlone);
    return results.map((result) => (announced.has(result) ? result : this.#finished(result)));
  }

  /**
   * Does the agent's part of a task whose dependencies are still running (needs an isolated
   * workspace). `confirm` keeps the work when the dependencies did not change what it read or
   * wrote, and answers `'rerun'` otherwise; `abandon` throws it away.
   */
  async speculate(task: Task, { slot, abortSignal }: ExecutionContext): Promise<Speculation> {
    this.emit('task-start', this.#steps.identity(task, slot, true));
    const held = await speculate(this.#steps, task, slot, abortSignal);
    return {
      confirm: async (context) => {
        const kept = await held.confirm(context);
        return kept === 'rerun' ? 'rerun' : outcomeOf(this.#finished(kept));
      },
      abandon: () => held.abandon(),
    };
  }

  /** {@link TaskExecutor}: `run` as an outcome. */
  async execute(task: Task, context: ExecutionContext): Promise<ExecutionOutcome> {
    return outcomeOf(await this.run(task, context));
  }

  /** {@link TaskExecutor}: `runBatch` as outcomes. */
  async executeBatch(tasks: readonly Task[], context: ExecutionContext): Promise<ExecutionOutcome[]> {
    return (await this.runBatch(tasks, context)).map(outcomeOf);
  }

  #finished(result: TaskResult): TaskResult {
    this.emit('task-finish', { taskId: result.taskId, result });
    return result;
  }
}
