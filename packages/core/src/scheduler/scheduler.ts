import type { Task } from '../schemas/task';
import { type DurationEstimator, longestRemainingPath, planEstimate } from './critical-path';
import { filesOverlap } from './file-locks';
import { ReadyQueue } from './ready-queue';
import type { ExecutionOutcome, TaskExecutor } from './task-executor';

export interface SchedulerOptions {
  /** Tasks at once. Can be changed while running with `scheduler.concurrency = n`. */
  maxParallel: number;
  executor: TaskExecutor;
  /** Priority estimate per task. @default the plan's `estimateMinutes` */
  estimate?: DurationEstimator;
  /** Stops new starts and aborts running tasks. */
  abortSignal?: AbortSignal;
  /** Called when a task will never run because a dependency failed. */
  onBlocked?: (taskId: string, blockedBy: string[]) => void;
}

export interface ScheduleResult {
  /** Blocked: a dependency failed. Cancelled: aborted, or a dependency was. */
  outcomes: Map<string, ExecutionOutcome | 'blocked'>;
  /** Task id → the failed tasks (direct or transitive) that blocked it. */
  blockedBy: Map<string, string[]>;
  /** Order in which tasks were started. */
  startOrder: string[];
}

/**
 * Runs a DAG of tasks: at most `concurrency` at once, ready tasks ordered by longest
 * remaining path (critical path first, plan order on ties), never two tasks whose declared
 * files overlap at the same time. A failed or cancelled task blocks its dependents, which
 * are reported as blocked rather than silently skipped. Dependencies listed in
 * `completedIds` (earlier iterations, resumed runs) count as satisfied.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  #concurrency: number;
  #wake: (() => void) | undefined;

  constructor(options: SchedulerOptions) {
    if (!Number.isInteger(options.maxParallel) || options.maxParallel < 1) {
      throw new RangeError(`maxParallel must be a positive integer, got ${options.maxParallel}`);
    }
    this.#options = options;
    this.#concurrency = options.maxParallel;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /** Lower or raise the limit while running; running tasks are never interrupted by it. */
  set concurrency(value: number) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`concurrency must be a positive integer, got ${value}`);
    this.#concurrency = value;
    this.#wake?.();
  }

  async run(tasks: readonly Task[], completedIds: Iterable<string> = []): Promise<ScheduleResult> {
    const { executor, abortSignal, onBlocked } = this.#options;
    const done = new Set(completedIds);
    const planIndex = new Map(tasks.map((task, index) => [task.id, index]));
    const priority = longestRemainingPath(tasks, this.#options.estimate ?? planEstimate);
    const dependents = new Map<string, string[]>();
    const waitingOn = new Map<string, number>();
    for (const task of tasks) {
      let count = 0;
      for (const dependency of new Set(task.dependsOn)) {
        if (done.has(dependency) || !planIndex.has(dependency)) continue;
        count += 1;
        const list = dependents.get(dependency);
        if (list) list.push(task.id);
        else dependents.set(dependency, [task.id]);
      }
      waitingOn.set(task.id, count);
    }

    const byId = new Map(tasks.map((task) => [task.id, task]));
    const byPriority = (a: Task, b: Task) =>
      (priority.get(b.id) ?? 0) - (priority.get(a.id) ?? 0) || planIndex.get(a.id)! - planIndex.get(b.id)!;
    // A heap, not a list sorted on every pass: with thousands of ready tasks, re-sorting per
    // finished task made scheduling quadratic.
    const ready = new ReadyQueue<Task>(byPriority);
    for (const task of tasks) if (waitingOn.get(task.id) === 0) ready.push(task);
    const running = new Map<string, { task: Task; slot: number }>();
    // Running tasks that declare files: the only ones a candidate can be locked out by.
    const lockHolders = new Set<Task>();
    const freeSlots: number[] = [];
    let nextSlot = 0;
    const outcomes = new Map<string, ExecutionOutcome | 'blocked'>();
    const blockedBy = new Map<string, string[]>();
    const startOrder: string[] = [];
    const controller = new AbortController();
    const abortRunning = () => controller.abort(abortSignal?.reason);
    abortSignal?.addEventListener('abort', abortRunning, { once: true });
    if (abortSignal?.aborted) abortRunning();

    const block = (failedId: string, as: 'blocked' | 'cancelled') => {
      const queue = [...(dependents.get(failedId) ?? [])];
      for (let head = 0; head < queue.length; head += 1) {
        const id = queue[head]!;
        const roots = blockedBy.get(id) ?? [];
        if (!roots.includes(failedId)) roots.push(failedId);
        blockedBy.set(id, roots);
        if (outcomes.has(id)) continue;
        outcomes.set(id, as);
        queue.push(...(dependents.get(id) ?? []));
      }
    };

    const settled: Array<{ id: string; outcome: ExecutionOutcome }> = [];
    const start = (task: Task) => {
      const slot = freeSlots.length > 0 ? freeSlots.shift()! : nextSlot++;
      running.set(task.id, { task, slot });
      if (task.files.length > 0) lockHolders.add(task);
      startOrder.push(task.id);
      void (async () => {
        let outcome: ExecutionOutcome;
        try {
          outcome = await executor.execute(task, { slot, abortSignal: controller.signal });
        } catch {
          outcome = controller.signal.aborted ? 'cancelled' : 'failed';
        }
        settled.push({ id: task.id, outcome });
        this.#wake?.();
      })();
    };

    try {
      for (;;) {
        // Settle finished tasks.
        for (let head = 0; head < settled.length; head += 1) {
          const { id, outcome } = settled[head]!;
          const entry = running.get(id)!;
          running.delete(id);
          lockHolders.delete(entry.task);
          freeSlots.push(entry.slot);
          freeSlots.sort((a, b) => a - b);
          outcomes.set(id, outcome);
          if (outcome === 'completed') {
            for (const dependent of dependents.get(id) ?? []) {
              const remaining = (waitingOn.get(dependent) ?? 1) - 1;
              waitingOn.set(dependent, remaining);
              if (remaining === 0 && !outcomes.has(dependent)) ready.push(byId.get(dependent)!);
            }
          } else {
            block(id, outcome === 'cancelled' ? 'cancelled' : 'blocked');
          }
        }
        settled.length = 0;
        // Start what may start.
        if (!controller.signal.aborted) {
          // Highest priority first; a task whose files are locked waits for the next pass.
          const locked: Task[] = [];
          while (ready.size > 0 && running.size < this.#concurrency) {
            const candidate = ready.pop()!;
            if (outcomes.has(candidate.id)) continue;
            let isLocked = false;
            if (candidate.files.length > 0) {
              for (const holder of lockHolders) {
                if (filesOverlap(holder.files, candidate.files)) {
                  isLocked = true;
                  break;
                }
              }
            }
            if (isLocked) locked.push(candidate);
            else start(candidate);
          }
          for (const candidate of locked) ready.push(candidate);
        }
        if (running.size === 0 && settled.length === 0) break;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          if (settled.length > 0) resolve();
        });
        this.#wake = undefined;
      }
    } finally {
      abortSignal?.removeEventListener('abort', abortRunning);
    }

    for (const task of tasks) {
      if (!outcomes.has(task.id)) outcomes.set(task.id, controller.signal.aborted ? 'cancelled' : 'blocked');
    }
    for (const [id, roots] of blockedBy) if (outcomes.get(id) === 'blocked') onBlocked?.(id, roots);
    return { outcomes, blockedBy, startOrder };
  }
}
