import type { Task } from '@qoder-orch/spec';
import { type DurationEstimator, longestRemainingPath, planEstimate } from './critical-path';
import { filesOverlap } from '@qoder-orch/spec';
import { ReadyQueue } from './ready-queue';
import { TypedEmitter } from '../shared/typed-emitter';
import type { ExecutionOutcome, Speculation, TaskExecutor } from './task-executor';

export interface SchedulerOptions {
  /** Tasks at once. Can be changed while running with `scheduler.concurrency = n`. */
  maxParallel: number;
  executor: TaskExecutor;
  /** Priority estimate per task. @default the plan's `estimateMinutes` */
  estimate?: DurationEstimator;
  /** Stops new starts and aborts running tasks. */
  abortSignal?: AbortSignal;
  /**
   * Batch processing: ready tasks that may join the task about to start are run with it in
   * one slot, through `executor.executeBatch`. Members never share declared files.
   */
  batch?: BatchPolicy;
  /**
   * Speculative execution: when a slot would sit idle, start a task whose dependencies are all
   * running, through `executor.speculate`, and confirm or rerun it when they finish.
   * @default false
   */
  isSpeculative?: boolean;
}

/** Which ready tasks may run together in one agent invocation. */
export interface BatchPolicy {
  /** The most tasks in one batch. */
  maxSize: number;
  /** Whether `other` may join a batch that `first` heads (e.g. same subagent, both small). */
  canJoin(first: Task, other: Task): boolean;
}

/** What a Scheduler reports while it runs, by event name. */
export interface SchedulerEvents {
  /** A task (or a batch member, or a speculative start) took a slot. */
  'task-start': { taskId: string; slot: number };
  /** A task ended; blocked and cancelled dependents are reported by 'task-blocked' and the result. */
  'task-finish': { taskId: string; status: ExecutionOutcome };
  /** A task will never run because a dependency failed (reported once the run is over). */
  'task-blocked': { taskId: string; reason: string; blockedBy: string[] };
  /** The concurrency limit changed (see {@link Scheduler.setConcurrency}). */
  'concurrency-change': { from: number; to: number; reason: string };
  /** Nothing is running or queued any more. */
  idle: Record<string, never>;
}

export interface ScheduleResult {
  /** Blocked: a dependency failed. Cancelled: aborted, or a dependency was. */
  outcomes: Map<string, ExecutionOutcome | 'blocked'>;
  /** Task id → the failed tasks (direct or transitive) that blocked it. */
  blockedBy: Map<string, string[]>;
  /** Order in which tasks were started. */
  startOrder: string[];
  /** Speculative starts, and how they ended. */
  speculation: { started: number; kept: number; rerun: number; abandoned: number };
}

/**
 * Runs a DAG of tasks: at most `concurrency` at once, ready tasks ordered by longest
 * remaining path (critical path first, plan order on ties), never two tasks whose declared
 * files overlap at the same time. A failed or cancelled task blocks its dependents, which
 * are reported as blocked rather than silently skipped. Dependencies listed in
 * `completedIds` (earlier iterations, resumed runs) count as satisfied. Reports starts,
 * finishes, blocks, concurrency changes and idleness as events.
 *
 * ```ts
 * const scheduler = new Scheduler({ maxParallel: 4, executor });
 * scheduler.on('task-start', ({ taskId, slot }) => console.log(`${taskId} on slot ${slot}`));
 * const result = await scheduler.run(plan.tasks);
 * ```
 */
export class Scheduler extends TypedEmitter<SchedulerEvents> {
  readonly #options: SchedulerOptions;
  #concurrency: number;
  #wake: (() => void) | undefined;
  #runs = 0;

  constructor(options: SchedulerOptions) {
    super();
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
    this.setConcurrency(value, 'set');
  }

  /** Like `concurrency = value`, saying why in the 'concurrency-change' event. */
  setConcurrency(value: number, reason: string): void {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`concurrency must be a positive integer, got ${value}`);
    const from = this.#concurrency;
    this.#concurrency = value;
    if (from !== value) this.emit('concurrency-change', { from, to: value, reason });
    this.#wake?.();
  }

  /** Resolves when nothing is running or queued (at once when the scheduler is not running). */
  onIdle(): Promise<void> {
    if (this.#runs === 0) return Promise.resolve();
    return new Promise((resolve) => this.once('idle', () => resolve()));
  }

  async run(tasks: readonly Task[], completedIds: Iterable<string> = []): Promise<ScheduleResult> {
    this.#runs += 1;
    try {
      return await this.#run(tasks, completedIds);
    } finally {
      this.#runs -= 1;
      if (this.#runs === 0) this.emit('idle', {});
    }
  }

  async #run(tasks: readonly Task[], completedIds: Iterable<string>): Promise<ScheduleResult> {
    const { executor, abortSignal } = this.#options;
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
    const byPriority = (a: Task, b: Task) => (priority.get(b.id) ?? 0) - (priority.get(a.id) ?? 0) || planIndex.get(a.id)! - planIndex.get(b.id)!;
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

    const settled: Array<{ id: string; outcome: ExecutionOutcome | 'speculated' | 'rerun'; speculation?: Speculation }> = [];
    const speculation = { started: 0, kept: 0, rerun: 0, abandoned: 0 };
    /** Speculating now (the agent is working), by id. */
    const speculating = new Set<string>();
    /** Speculated and waiting for dependencies. */
    const parked = new Map<string, Speculation>();
    /** Became ready (or blocked) while still speculating. */
    const isReadyWhenSpeculated = new Set<string>();
    const hasSpeculated = new Set<string>();
    const abandonments: Array<Promise<void>> = [];
    const abandon = (id: string, held: Speculation) => {
      speculation.abandoned += 1;
      abandonments.push(held.abandon().catch(() => {}));
    };
    /** Slot → how many of its tasks are still running (a batch shares one slot). */
    const busySlots = new Map<number, number>();
    /** Running tasks that gave their slot back (`releaseSlot`): their merge is still to come. */
    const released = new Set<string>();
    const freeSlot = (slot: number) => {
      const left = (busySlots.get(slot) ?? 1) - 1;
      if (left > 0) busySlots.set(slot, left);
      else {
        busySlots.delete(slot);
        freeSlots.push(slot);
        freeSlots.sort((a, b) => a - b);
      }
    };
    /** A task's `releaseSlot`: the slot is free for another task before this one settles. */
    const releaserOf = (id: string, slot: number) => () => {
      if (released.has(id) || running.get(id)?.slot !== slot) return;
      released.add(id);
      freeSlot(slot);
      this.#wake?.(); // the loop is waiting, or looks at the slots before it waits again
    };
    const occupy = (members: Task[]) => {
      const slot = freeSlots.length > 0 ? freeSlots.shift()! : nextSlot++;
      busySlots.set(slot, members.length);
      for (const member of members) {
        running.set(member.id, { task: member, slot });
        if (member.files.length > 0) lockHolders.add(member);
      }
      return slot;
    };
    const start = (members: Task[]) => {
      const slot = occupy(members);
      for (const member of members) {
        startOrder.push(member.id);
        this.emit('task-start', { taskId: member.id, slot });
      }
      void (async () => {
        let results: ExecutionOutcome[];
        try {
          results =
            members.length > 1 && executor.executeBatch
              ? await executor.executeBatch(members, { slot, abortSignal: controller.signal })
              : [await executor.execute(members[0]!, { slot, abortSignal: controller.signal, releaseSlot: releaserOf(members[0]!.id, slot) })];
        } catch {
          results = members.map(() => (controller.signal.aborted ? 'cancelled' : 'failed'));
        }
        members.forEach((member, index) => settled.push({ id: member.id, outcome: results[index] ?? 'failed' }));
        this.#wake?.();
      })();
    };
    const startSpeculation = (task: Task) => {
      const slot = occupy([task]);
      startOrder.push(task.id);
      this.emit('task-start', { taskId: task.id, slot });
      speculating.add(task.id);
      hasSpeculated.add(task.id);
      speculation.started += 1;
      void (async () => {
        try {
          const held = await executor.speculate!(task, { slot, abortSignal: controller.signal });
          settled.push({ id: task.id, outcome: 'speculated', speculation: held });
        } catch {
          settled.push({ id: task.id, outcome: 'rerun' });
        }
        this.#wake?.();
      })();
    };
    const startConfirmation = (task: Task, held: Speculation) => {
      const slot = occupy([task]);
      void (async () => {
        let outcome: ExecutionOutcome | 'rerun';
        try {
          outcome = await held.confirm({ slot, abortSignal: controller.signal });
        } catch {
          outcome = controller.signal.aborted ? 'cancelled' : 'failed';
        }
        if (outcome === 'rerun') speculation.rerun += 1;
        else if (outcome === 'completed') speculation.kept += 1;
        settled.push({ id: task.id, outcome });
        this.#wake?.();
      })();
    };
    /** A task whose dependencies all completed: run it, or confirm its speculation. */
    const becomeReady = (id: string) => {
      if (outcomes.has(id)) return;
      if (speculating.has(id)) isReadyWhenSpeculated.add(id);
      else if (parked.has(id)) {
        const held = parked.get(id)!;
        parked.delete(id);
        startConfirmation(byId.get(id)!, held);
      } else ready.push(byId.get(id)!);
    };
    const isLockedByRunning = (candidate: Task) => {
      if (candidate.files.length === 0) return false;
      for (const holder of lockHolders) if (filesOverlap(holder.files, candidate.files)) return true;
      return false;
    };

    /** The highest-priority task that waits only on running tasks and holds no file lock now. */
    const speculativeCandidate = (): Task | undefined => {
      let best: Task | undefined;
      for (const task of tasks) {
        if ((waitingOn.get(task.id) ?? 0) === 0 || outcomes.has(task.id) || hasSpeculated.has(task.id)) continue;
        const isWaitingOnRunningOnly = task.dependsOn.every((dependency) => done.has(dependency) || !planIndex.has(dependency) || outcomes.get(dependency) === 'completed' || (running.has(dependency) && !speculating.has(dependency)));
        if (!isWaitingOnRunningOnly || isLockedByRunning(task)) continue;
        if (!best || byPriority(task, best) < 0) best = task;
      }
      return best;
    };

    try {
      for (;;) {
        // Settle finished tasks.
        for (let head = 0; head < settled.length; head += 1) {
          const { id, outcome, speculation: held } = settled[head]!;
          const entry = running.get(id)!;
          running.delete(id);
          lockHolders.delete(entry.task);
          if (!released.delete(id)) freeSlot(entry.slot);
          if (outcome === 'speculated' || (outcome === 'rerun' && speculating.has(id))) {
            speculating.delete(id);
            const isReady = isReadyWhenSpeculated.delete(id);
            if (outcomes.has(id) || controller.signal.aborted) {
              // Blocked or cancelled while the agent worked.
              if (held) abandon(id, held);
            } else if (outcome === 'rerun' || !held) {
              speculation.rerun += 1;
              if (isReady) ready.push(byId.get(id)!);
            } else if (isReady) startConfirmation(byId.get(id)!, held);
            else parked.set(id, held);
            continue;
          }
          if (outcome === 'rerun') {
            ready.push(byId.get(id)!);
            continue;
          }
          outcomes.set(id, outcome);
          this.emit('task-finish', { taskId: id, status: outcome });
          if (outcome === 'completed') {
            for (const dependent of dependents.get(id) ?? []) {
              const remaining = (waitingOn.get(dependent) ?? 1) - 1;
              waitingOn.set(dependent, remaining);
              if (remaining === 0) becomeReady(dependent);
            }
          } else {
            block(id, outcome === 'cancelled' ? 'cancelled' : 'blocked');
          }
        }
        settled.length = 0;
        for (const [id, held] of parked) {
          if (!outcomes.has(id) && !controller.signal.aborted) continue;
          parked.delete(id);
          abandon(id, held);
        }
        // Start what may start.
        if (!controller.signal.aborted) {
          // Highest priority first; a task whose files are locked waits for the next pass.
          const locked: Task[] = [];
          while (ready.size > 0 && busySlots.size < this.#concurrency) {
            const candidate = ready.pop()!;
            if (outcomes.has(candidate.id)) continue;
            if (isLockedByRunning(candidate)) {
              locked.push(candidate);
              continue;
            }
            const members = [candidate];
            const policy = this.#options.batch;
            if (policy && executor.executeBatch && policy.maxSize > 1) {
              // Look through the rest of the ready tasks, best first, for companions.
              const passed: Task[] = [];
              while (ready.size > 0 && members.length < policy.maxSize) {
                const companion = ready.pop()!;
                if (outcomes.has(companion.id)) continue;
                const isFree = policy.canJoin(candidate, companion) && !isLockedByRunning(companion) && !members.some((member) => filesOverlap(member.files, companion.files));
                if (isFree) members.push(companion);
                else passed.push(companion);
              }
              for (const other of passed) ready.push(other);
            }
            start(members);
          }
          for (const candidate of locked) ready.push(candidate);
          if (this.#options.isSpeculative && executor.speculate) {
            while (busySlots.size < this.#concurrency) {
              const candidate = speculativeCandidate();
              if (!candidate) break;
              startSpeculation(candidate);
            }
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
    for (const [id, held] of parked) abandon(id, held);
    await Promise.all(abandonments);
    for (const [id, roots] of blockedBy) {
      if (outcomes.get(id) === 'blocked') this.emit('task-blocked', { taskId: id, reason: `Blocked by failed task(s): ${roots.join(', ')}`, blockedBy: roots });
    }
    return { outcomes, blockedBy, startOrder, speculation };
  }
}
