import { describe, expect, it } from 'vitest';
import { type ExecutionOutcome, Scheduler, type Task, TaskSchema, longestRemainingPath } from '../index';
import { filesOverlap } from '@qoder-orch/spec';

/** A small deterministic PRNG so every run checks the same plans. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const FILES = ['src/a.ts', 'src/b.ts', 'src/**', 'src/**/*.css', 'web/app.ts', 'web', 'docs/*.md', 'docs/x.md', 'lib/**/*.ts', 'lib/c.ts'];

function randomPlan(size: number, seed: number): Task[] {
  const random = seeded(seed);
  const integer = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  return Array.from({ length: size }, (_, index) => {
    const dependsOn = index === 0 ? [] : [...new Set(Array.from({ length: integer(0, 3) }, () => `t${integer(Math.max(0, index - 15), index - 1)}`))];
    const files = Array.from({ length: integer(0, 2) }, () => FILES[integer(0, FILES.length - 1)]!);
    // Coarse estimates so priorities tie often and plan order has to break the ties.
    return TaskSchema.parse({ id: `t${index}`, title: `t${index}`, agent: 'backend-dev', dependsOn, files, estimateMinutes: integer(1, 4) * 5 });
  });
}

describe('Scheduler start order on large random plans', () => {
  it.each([
    [1, 1],
    [2, 3],
    [3, 8],
  ])('seed %i, %i slots: every start is the highest-priority ready task whose files are free', async (seed, slots) => {
    const tasks = randomPlan(300, seed);
    const priority = longestRemainingPath(tasks);
    const planIndex = new Map(tasks.map((task, index) => [task.id, index]));
    const outranks = (a: Task, b: Task) => priority.get(a.id)! - priority.get(b.id)! || planIndex.get(b.id)! - planIndex.get(a.id)!;
    const random = seeded(seed * 101);
    const status = new Map<string, 'running' | ExecutionOutcome>();
    const pending: Array<{ task: Task; resolve: (outcome: ExecutionOutcome) => void }> = [];
    const violations: string[] = [];

    const executor = {
      execute: (task: Task) => {
        const running = tasks.filter((other) => status.get(other.id) === 'running');
        if (running.length >= slots) violations.push(`${task.id} started with ${running.length} running`);
        const isStartable = (candidate: Task) => !status.has(candidate.id) && candidate.dependsOn.every((dependency) => status.get(dependency) === 'completed') && !running.some((other) => filesOverlap(other.files, candidate.files));
        if (!isStartable(task)) violations.push(`${task.id} started while not ready or locked`);
        const better = tasks.find((candidate) => candidate !== task && isStartable(candidate) && outranks(candidate, task) > 0);
        if (better) violations.push(`${task.id} started before ${better.id}`);
        status.set(task.id, 'running');
        return new Promise<ExecutionOutcome>((resolve) => pending.push({ task, resolve }));
      },
    };

    const run = new Scheduler({ maxParallel: slots, executor }).run(tasks);
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (pending.length === 0) break;
      const [next] = pending.splice(Math.floor(random() * pending.length), 1);
      const outcome: ExecutionOutcome = random() < 0.05 ? 'failed' : 'completed';
      status.set(next!.task.id, outcome);
      next!.resolve(outcome);
    }
    const result = await run;
    expect(violations).toEqual([]);
    // Everything not started was blocked by a failure, never forgotten.
    for (const task of tasks) {
      if (!status.has(task.id)) expect(result.outcomes.get(task.id)).toBe('blocked');
    }
    expect(result.startOrder.length).toBeGreaterThan(100);
  });
});
