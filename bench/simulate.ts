import { type DurationEstimator, type ExecutionOutcome, Scheduler, type Task, longestRemainingPath } from '@qoder-orch/core';

export interface SimulationResult {
  /** Virtual time when the last task finished, minutes. */
  makespan: number;
  startOrder: string[];
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs the real {@link Scheduler} on a virtual clock: each `execute()` registers its
 * completion at now + the task's true duration; the simulator then lets the scheduler do
 * everything it does at this instant (one macrotask drains its promise chain), jumps the
 * clock to the earliest completion and resolves it. No real sleeping. `onComplete` sees each
 * task as it finishes (for learned durations).
 */
export async function simulateScheduler(
  tasks: readonly Task[],
  durations: ReadonlyMap<string, number>,
  options: { slots: number; estimate?: DurationEstimator; onComplete?: (task: Task, duration: number) => void | Promise<void> },
): Promise<SimulationResult> {
  let now = 0;
  const pending: Array<{ at: number; task: Task; resolve: (outcome: ExecutionOutcome) => void }> = [];
  const scheduler = new Scheduler({
    maxParallel: options.slots,
    ...(options.estimate === undefined ? {} : { estimate: options.estimate }),
    executor: {
      execute: (task) =>
        new Promise<ExecutionOutcome>((resolve) => {
          pending.push({ at: now + durations.get(task.id)!, task, resolve });
        }),
    },
  });
  let isFinished = false;
  const finished = scheduler.run(tasks).then((result) => {
    isFinished = true;
    return result;
  });
  for (;;) {
    await nextMacrotask();
    if (pending.length === 0) break;
    let earliest = 0;
    for (let index = 1; index < pending.length; index += 1) if (pending[index]!.at < pending[earliest]!.at) earliest = index;
    const [next] = pending.splice(earliest, 1);
    now = next!.at;
    await options.onComplete?.(next!.task, durations.get(next!.task.id)!);
    next!.resolve('completed');
  }
  await nextMacrotask();
  if (!isFinished) throw new Error('simulation stalled: nothing running but the scheduler has not finished');
  const result = await finished;
  const notCompleted = [...result.outcomes].filter(([, outcome]) => outcome !== 'completed');
  if (notCompleted.length > 0) throw new Error(`simulation: ${notCompleted.length} tasks did not complete`);
  return { makespan: now, startOrder: result.startOrder };
}

/**
 * First-ready-first-run, what a simple queue runner does: a task joins the back of the queue
 * when its last dependency finishes (initially ready tasks in plan order); free slots take
 * from the front. Same virtual clock, no file locks (the benchmark plans declare none).
 */
export function simulateFifo(tasks: readonly Task[], durations: ReadonlyMap<string, number>, slots: number): number {
  const dependents = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const task of tasks) {
    const dependencies = new Set(task.dependsOn);
    waiting.set(task.id, dependencies.size);
    for (const dependency of dependencies) dependents.set(dependency, [...(dependents.get(dependency) ?? []), task.id]);
  }
  const queue = tasks.filter((task) => waiting.get(task.id) === 0).map((task) => task.id);
  let head = 0;
  const running: Array<{ at: number; id: string }> = [];
  let now = 0;
  for (;;) {
    while (running.length < slots && head < queue.length) {
      const id = queue[head++]!;
      running.push({ at: now + durations.get(id)!, id });
    }
    if (running.length === 0) break;
    let earliest = 0;
    for (let index = 1; index < running.length; index += 1) if (running[index]!.at < running[earliest]!.at) earliest = index;
    const [next] = running.splice(earliest, 1);
    now = next!.at;
    for (const dependent of dependents.get(next!.id) ?? []) {
      const remaining = waiting.get(dependent)! - 1;
      waiting.set(dependent, remaining);
      if (remaining === 0) queue.push(dependent);
    }
  }
  if (head !== tasks.length) throw new Error('fifo simulation: not every task ran');
  return now;
}

/** max(critical path, total work / slots) with the true durations: no schedule can finish sooner. */
export function lowerBound(tasks: readonly Task[], durations: ReadonlyMap<string, number>, slots: number): { bound: number; criticalPath: number; workPerSlot: number } {
  const paths = longestRemainingPath(tasks, (task) => durations.get(task.id)!);
  const criticalPath = Math.max(...paths.values());
  let total = 0;
  for (const task of tasks) total += durations.get(task.id)!;
  const workPerSlot = total / slots;
  return { bound: Math.max(criticalPath, workPerSlot), criticalPath, workPerSlot };
}

/**
 * The simulator's own sanity check, run before any figure is printed: with one slot the
 * makespan must be the total work, with a slot per task the critical path, for both runners.
 */
export async function checkSimulator(tasks: readonly Task[], durations: ReadonlyMap<string, number>): Promise<void> {
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  const serial = lowerBound(tasks, durations, 1).workPerSlot;
  const unbounded = lowerBound(tasks, durations, tasks.length).criticalPath;
  const checks: Array<[string, number, number]> = [
    ['Scheduler, 1 slot', (await simulateScheduler(tasks, durations, { slots: 1 })).makespan, serial],
    ['Scheduler, unbounded', (await simulateScheduler(tasks, durations, { slots: tasks.length })).makespan, unbounded],
    ['queue, 1 slot', simulateFifo(tasks, durations, 1), serial],
    ['queue, unbounded', simulateFifo(tasks, durations, tasks.length), unbounded],
  ];
  for (const [label, actual, expected] of checks) {
    if (!close(actual, expected)) throw new Error(`simulator check failed (${label}): makespan ${actual}, expected ${expected}`);
  }
}
