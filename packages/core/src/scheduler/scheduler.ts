import type { Task } from '../schemas/task';
import { type DurationEstimator, longestRemainingPath, planEstimate } from './critical-path';
import { filesOverlap } from './file-locks';
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
  /**
   * Batch processing: ready tasks that may join the task about to start are run with it in
   * one slot, through `executor.executeBatch`. Members never share declared files.
   */
  batch?: BatchPolicy;
}

/** Which ready tasks may run together in one agent invocation. */
export interface BatchPolicy {
  /** The most tasks in one batch. */
  maxSize: number;
  /** Whether `other` may join a batch that `first` heads (e.g. same subagent, both small). */
  canJoin(first: Task, other: Task): boolean;
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
    const ready: Task[] = tasks.filter((task) => waitingOn.get(task.id) === 0);
    const running = new Map<string, { task: Task; slot: number }>();
    const freeSlots: number[] = [];
    let nextSlot = 0;
    const outcomes = new Map<string, ExecutionOutcome | 'blocked'>();
    const blockedBy = new Map<string, string[]>();
    const startOrder: string[] = [];
    const controller = new AbortController();
    const abortRunning = () => controller.abort(abortSignal?.reason);
    abortSignal?.addEventListener('abort', abortRunning, { once: true });
    if (abortSignal?.aborted) abortRunning();

    const byPriority = (a: Task, b: Task) =>
      (priority.get(b.id) ?? 0) - (priority.get(a.id) ?? 0) || planIndex.get(a.id)! - planIndex.get(b.id)!;

    const block = (failedId: string, as: 'blocked' | 'cancelled') => {
      const queue = [...(dependents.get(failedId) ?? [])];
      while (queue.length > 0) {
        const id = queue.shift()!;
        const roots = blockedBy.get(id) ?? [];
        if (!roots.includes(failedId)) roots.push(failedId);
        blockedBy.set(id, roots);
        if (outcomes.has(id)) continue;
        outcomes.set(id, as);
        queue.push(...(dependents.get(id) ?? []));
      }
    };

    const settled: Array<{ id: string; outcome: ExecutionOutcome }> = [];
    /** Slot → how many of its tasks are still running (a batch shares one slot). */
    const busySlots = new Map<number, number>();
    const start = (members: Task[]) => {
      const slot = freeSlots.length > 0 ? freeSlots.shift()! : nextSlot++;
      busySlots.set(slot, members.length);
      for (const member of members) {
        running.set(member.id, { task: member, slot });
        startOrder.push(member.id);
      }
      void (async () => {
        let results: ExecutionOutcome[];
        try {
          results =
            members.length > 1 && executor.executeBatch
              ? await executor.executeBatch(members, { slot, abortSignal: controller.signal })
              : [await executor.execute(members[0]!, { slot, abortSignal: controller.signal })];
        } catch {
          results = members.map(() => (controller.signal.aborted ? 'cancelled' : 'failed'));
        }
        members.forEach((member, index) => settled.push({ id: member.id, outcome: results[index] ?? 'failed' }));
        this.#wake?.();
      })();
    };
    const isLockedByRunning = (candidate: Task) => [...running.values()].some(({ task }) => filesOverlap(task.files, candidate.files));

    try {
      for (;;) {
        // Settle finished tasks.
        while (settled.length > 0) {
          const { id, outcome } = settled.shift()!;
          const entry = running.get(id)!;
          running.delete(id);
          const left = (busySlots.get(entry.slot) ?? 1) - 1;
          if (left > 0) busySlots.set(entry.slot, left);
          else {
            busySlots.delete(entry.slot);
            freeSlots.push(entry.slot);
            freeSlots.sort((a, b) => a - b);
          }
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
        // Start what may start.
        if (!controller.signal.aborted) {
          ready.sort(byPriority);
          for (let index = 0; index < ready.length && busySlots.size < this.#concurrency; ) {
            const candidate = ready[index]!;
            if (outcomes.has(candidate.id)) {
              ready.splice(index, 1);
              continue;
            }
            if (isLockedByRunning(candidate)) {
              index += 1;
              continue;
            }
            ready.splice(index, 1);
            const members = [candidate];
            const policy = this.#options.batch;
            if (policy && executor.executeBatch && policy.maxSize > 1) {
              for (let other = index; other < ready.length && members.length < policy.maxSize; ) {
                const companion = ready[other]!;
                const isFree =
                  !outcomes.has(companion.id) &&
                  policy.canJoin(candidate, companion) &&
                  !isLockedByRunning(companion) &&
                  !members.some((member) => filesOverlap(member.files, companion.files));
                if (isFree) {
                  members.push(companion);
                  ready.splice(other, 1);
                } else other += 1;
              }
            }
            start(members);
          }
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
