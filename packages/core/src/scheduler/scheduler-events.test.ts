import { describe, expect, it } from 'vitest';
import { type ExecutionOutcome, Scheduler, type SchedulerEvents, type Task, TaskSchema } from '../index';

const task = (id: string, options: Partial<Task> = {}): Task => TaskSchema.parse({ id, title: id, agent: 'backend-dev', ...options });

/** An executor whose tasks end with the given outcome after a short, fixed time. */
function executor(outcomes: Record<string, ExecutionOutcome> = {}) {
  return {
    async execute(t: Task) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return outcomes[t.id] ?? 'completed';
    },
  };
}

function recordEvents(scheduler: Scheduler): Array<[keyof SchedulerEvents, unknown]> {
  const seen: Array<[keyof SchedulerEvents, unknown]> = [];
  for (const name of ['task-start', 'task-finish', 'task-blocked', 'concurrency-change', 'idle'] as const) scheduler.on(name, (payload) => seen.push([name, payload]));
  return seen;
}

describe('Scheduler events', () => {
  it('reports starts with their slot, finishes, blocked dependents, then idle', async () => {
    const scheduler = new Scheduler({ maxParallel: 2, executor: executor({ a: 'failed' }) });
    const seen = recordEvents(scheduler);
    await scheduler.run([task('a'), task('b', { dependsOn: ['a'] }), task('c')]);
    expect(seen.filter(([name]) => name === 'task-start').map(([, payload]) => payload)).toEqual([
      { taskId: 'a', slot: 0 },
      { taskId: 'c', slot: 1 },
    ]);
    expect(seen.filter(([name]) => name === 'task-finish').map(([, payload]) => payload)).toEqual(
      expect.arrayContaining([
        { taskId: 'a', status: 'failed' },
        { taskId: 'c', status: 'completed' },
      ]),
    );
    expect(seen.filter(([name]) => name === 'task-blocked').map(([, payload]) => payload)).toEqual([{ taskId: 'b', reason: 'Blocked by failed task(s): a', blockedBy: ['a'] }]);
    expect(seen.at(-1)).toEqual(['idle', {}]);
  });

  it('says why the concurrency changed, and stays quiet when it did not', () => {
    const scheduler = new Scheduler({ maxParallel: 4, executor: executor() });
    const seen = recordEvents(scheduler);
    scheduler.setConcurrency(2, 'RATE_LIMITED from claude');
    scheduler.setConcurrency(2, 'again');
    scheduler.concurrency = 3;
    expect(seen).toEqual([
      ['concurrency-change', { from: 4, to: 2, reason: 'RATE_LIMITED from claude' }],
      ['concurrency-change', { from: 2, to: 3, reason: 'set' }],
    ]);
  });

  it('onIdle resolves at once when nothing runs, and only after the last task when something does', async () => {
    const scheduler = new Scheduler({ maxParallel: 1, executor: executor() });
    await scheduler.onIdle();
    const finished: string[] = [];
    scheduler.on('task-finish', ({ taskId }) => finished.push(taskId));
    const run = scheduler.run([task('a'), task('b', { dependsOn: ['a'] })]);
    await scheduler.onIdle();
    expect(finished).toEqual(['a', 'b']);
    await expect(run).resolves.toMatchObject({ startOrder: ['a', 'b'] });
  });
});
