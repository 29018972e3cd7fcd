import { describe, expect, it } from 'vitest';
import { type ExecutionOutcome, Scheduler, type Task, TaskSchema, longestRemainingPath } from '../index';
import { filesOverlap } from '@qoder-orch/spec';

const task = (id: string, options: Partial<Task> = {}): Task => TaskSchema.parse({ id, title: id, agent: 'backend-dev', ...options });

/** An executor whose tasks finish only when the test says so. */
function controllableExecutor(outcomes: Record<string, ExecutionOutcome> = {}) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  let running = 0;
  let maxRunning = 0;
  const runningNow = new Set<string>();
  const executor = {
    async execute(t: Task, context: { abortSignal: AbortSignal }) {
      started.push(t.id);
      runningNow.add(t.id);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      try {
        await new Promise<void>((resolve, reject) => {
          finishers.set(t.id, resolve);
          context.abortSignal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
        return outcomes[t.id] ?? 'completed';
      } finally {
        running -= 1;
        runningNow.delete(t.id);
      }
    },
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const finish = async (id: string) => {
    await tick();
    const finisher = finishers.get(id);
    if (!finisher) throw new Error(`${id} is not running (running: ${[...runningNow].join(', ')})`);
    finisher();
    await tick();
  };
  return {
    executor,
    started,
    finish,
    runningNow,
    get maxRunning() {
      return maxRunning;
    },
    tick,
  };
}

describe('longestRemainingPath', () => {
  it('weights chains by estimates', () => {
    const tasks = [task('a', { estimateMinutes: 1 }), task('b', { estimateMinutes: 5, dependsOn: ['a'] }), task('c', { estimateMinutes: 2 }), task('d', { estimateMinutes: 1, dependsOn: ['b', 'c'] })];
    const paths = longestRemainingPath(tasks);
    expect(Object.fromEntries(paths)).toEqual({ a: 7, b: 6, c: 3, d: 1 });
  });

  it('handles a 10 000-task chain without overflowing the stack', () => {
    const tasks = Array.from({ length: 10_000 }, (_, index) => task(`t${index}`, { estimateMinutes: 1, dependsOn: index ? [`t${index - 1}`] : [] }));
    expect(longestRemainingPath(tasks).get('t0')).toBe(10_000);
  });
});

describe('filesOverlap', () => {
  it.each([
    [['src/a.ts'], ['src/a.ts'], true],
    [['src/a.ts'], ['src/b.ts'], false],
    [['src'], ['src/a.ts'], true],
    [['src/**/*.ts'], ['src/api/users.ts'], true],
    [['src/**/*.ts'], ['web/app.ts'], false],
    [['src/**/*.ts'], ['src/**/*.css'], false],
    [['src/api/**'], ['src/**/*.ts'], true],
    [['server/**'], ['client/**'], false],
    [['./src/a.ts'], ['src/a.ts'], true],
    [['src/*.css'], ['src/app.ts'], false],
    [[], ['src/a.ts'], false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(filesOverlap(a, b)).toBe(expected);
    expect(filesOverlap(b, a)).toBe(expected);
  });
});

describe('Scheduler', () => {
  it('never runs more than maxParallel tasks and starts critical-path tasks first', async () => {
    const control = controllableExecutor();
    const tasks = [task('short', { estimateMinutes: 1 }), task('long-head', { estimateMinutes: 2 }), task('long-tail', { estimateMinutes: 10, dependsOn: ['long-head'] }), task('medium', { estimateMinutes: 5 })];
    const scheduler = new Scheduler({ maxParallel: 2, executor: control.executor });
    const run = scheduler.run(tasks);
    await control.tick();
    // long-head heads a 12-minute chain, medium is 5, short is 1.
    expect(control.started).toEqual(['long-head', 'medium']);
    await control.finish('long-head');
    expect(control.started).toEqual(['long-head', 'medium', 'long-tail']);
    await control.finish('medium');
    await control.finish('long-tail');
    await control.finish('short');
    const result = await run;
    expect(control.maxRunning).toBe(2);
    expect([...result.outcomes.values()].every((outcome) => outcome === 'completed')).toBe(true);
  });

  it('never runs two tasks with overlapping files at once', async () => {
    const control = controllableExecutor();
    const tasks = [task('a', { files: ['src/api/**'] }), task('b', { files: ['src/api/users.ts'] }), task('c', { files: ['web/app.ts'] })];
    const run = new Scheduler({ maxParallel: 3, executor: control.executor }).run(tasks);
    await control.tick();
    expect(control.started).toEqual(['a', 'c']);
    await control.finish('a');
    expect(control.started).toEqual(['a', 'c', 'b']);
    await control.finish('b');
    await control.finish('c');
    await run;
  });

  it('reports dependents of a failed task as blocked, transitively, and runs the rest', async () => {
    const control = controllableExecutor({ a: 'failed' });
    const tasks = [task('a'), task('b', { dependsOn: ['a'] }), task('c', { dependsOn: ['b'] }), task('d')];
    const blocked: Array<[string, string[]]> = [];
    const scheduler = new Scheduler({ maxParallel: 2, executor: control.executor });
    scheduler.on('task-blocked', ({ taskId, blockedBy }) => blocked.push([taskId, blockedBy]));
    const run = scheduler.run(tasks);
    await control.finish('a');
    await control.finish('d');
    const result = await run;
    expect(Object.fromEntries(result.outcomes)).toEqual({ a: 'failed', b: 'blocked', c: 'blocked', d: 'completed' });
    expect(blocked).toEqual([
      ['b', ['a']],
      ['c', ['a']],
    ]);
    expect(control.started).toEqual(['a', 'd']);
  });

  it('starts another task in a slot given back early, while dependents and file locks wait for the outcome', async () => {
    const started: string[] = [];
    const finishers = new Map<string, () => void>();
    const releasers = new Map<string, () => void>();
    const executor = {
      async execute(t: Task, context: { releaseSlot?: () => void }) {
        started.push(t.id);
        if (context.releaseSlot) releasers.set(t.id, context.releaseSlot);
        await new Promise<void>((resolve) => finishers.set(t.id, resolve));
        return 'completed' as const;
      },
    };
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const tasks = [task('a', { files: ['src/a.ts'], estimateMinutes: 5 }), task('b', { dependsOn: ['a'] }), task('locked', { files: ['src/a.ts'], estimateMinutes: 3 }), task('free', { estimateMinutes: 1 })];
    const slots: Array<[string, number]> = [];
    const scheduler = new Scheduler({ maxParallel: 1, executor });
    scheduler.on('task-start', ({ taskId, slot }) => slots.push([taskId, slot]));
    const run = scheduler.run(tasks);
    await tick();
    expect(started).toEqual(['a']);
    releasers.get('a')?.();
    releasers.get('a')?.();
    await tick();
    // Only `free` may take the slot: `b` waits for a's outcome, `locked` for a's files.
    expect(started).toEqual(['a', 'free']);
    expect(slots).toEqual([
      ['a', 0],
      ['free', 0],
    ]);
    finishers.get('a')?.();
    await tick();
    // a settled, but the slot is free's now (a's second release changed nothing): one at a time again.
    expect(started).toEqual(['a', 'free']);
    finishers.get('free')?.();
    await tick();
    expect(started).toEqual(['a', 'free', 'b']);
    finishers.get('b')?.();
    await tick();
    expect(started).toEqual(['a', 'free', 'b', 'locked']);
    finishers.get('locked')?.();
    const result = await run;
    expect([...result.outcomes.values()].every((outcome) => outcome === 'completed')).toBe(true);
  });

  it('treats an executor that throws as a failed task', async () => {
    const executor = {
      execute: async () => {
        throw new Error('boom');
      },
    };
    const result = await new Scheduler({ maxParallel: 1, executor }).run([task('a'), task('b', { dependsOn: ['a'] })]);
    expect(Object.fromEntries(result.outcomes)).toEqual({ a: 'failed', b: 'blocked' });
  });

  it('counts dependencies completed earlier as satisfied', async () => {
    const control = controllableExecutor();
    const run = new Scheduler({ maxParallel: 1, executor: control.executor }).run([task('b', { dependsOn: ['a'] })], ['a']);
    await control.finish('b');
    expect((await run).outcomes.get('b')).toBe('completed');
  });

  it('stops new starts and aborts running tasks on cancellation', async () => {
    const control = controllableExecutor();
    const controller = new AbortController();
    const tasks = [task('a'), task('b'), task('c', { dependsOn: ['a'] })];
    const run = new Scheduler({ maxParallel: 1, executor: control.executor, abortSignal: controller.signal }).run(tasks);
    await control.tick();
    controller.abort();
    const result = await run;
    expect(control.started).toEqual(['a']);
    expect(Object.fromEntries(result.outcomes)).toEqual({ a: 'cancelled', b: 'cancelled', c: 'cancelled' });
  });

  it('follows a concurrency change while running', async () => {
    const control = controllableExecutor();
    const scheduler = new Scheduler({ maxParallel: 1, executor: control.executor });
    const run = scheduler.run([task('a'), task('b'), task('c')]);
    await control.tick();
    expect(control.runningNow.size).toBe(1);
    scheduler.concurrency = 3;
    await control.tick();
    expect(control.runningNow.size).toBe(3);
    for (const id of ['a', 'b', 'c']) await control.finish(id);
    await run;
    expect(() => (scheduler.concurrency = 0)).toThrow(RangeError);
  });
});

describe('Scheduler batches', () => {
  it('runs joinable ready tasks together in one slot, counted as one, never with overlapping files', async () => {
    const batches: string[][] = [];
    const slots: number[] = [];
    const executor = {
      execute: async (t: Task, context: { slot: number }) => {
        batches.push([t.id]);
        slots.push(context.slot);
        return 'completed' as const;
      },
      executeBatch: async (members: readonly Task[], context: { slot: number }) => {
        batches.push(members.map((member) => member.id));
        slots.push(context.slot);
        return members.map(() => 'completed' as const);
      },
    };
    const tasks = [
      task('a', { agent: 'qa-agent', files: ['a.ts'] }),
      task('b', { agent: 'qa-agent', files: ['b.ts'] }),
      task('c', { agent: 'qa-agent', files: ['a.ts'] }),
      task('d', { agent: 'architect', files: ['d.ts'] }),
      task('e', { agent: 'qa-agent', files: ['e.ts'] }),
      task('f', { agent: 'qa-agent', files: ['f.ts'], dependsOn: ['a'] }),
    ];
    const result = await new Scheduler({
      maxParallel: 2,
      executor,
      batch: { maxSize: 3, canJoin: (first, other) => first.agent === other.agent },
    }).run(tasks);
    expect(batches[0]).toEqual(['a', 'b', 'e']);
    // c shares a.ts with the running batch, so the architect's task takes the second slot.
    expect(batches[1]).toEqual(['d']);
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(Math.max(...slots)).toBeLessThan(2);
    expect([...result.outcomes.values()].every((outcome) => outcome === 'completed')).toBe(true);
  });
});

describe('Scheduler speculation', () => {
  function speculativeExecutor(options: { confirm: 'completed' | 'rerun'; failing?: string[] }) {
    const log: string[] = [];
    let finishA: (() => void) | undefined;
    const executor = {
      execute: async (t: Task) => {
        log.push(`execute ${t.id}`);
        if (t.id === 'a') await new Promise<void>((resolve) => (finishA = resolve));
        return options.failing?.includes(t.id) ? ('failed' as const) : ('completed' as const);
      },
      speculate: async (t: Task) => {
        log.push(`speculate ${t.id}`);
        return {
          confirm: async () => {
            log.push(`confirm ${t.id}`);
            return options.confirm;
          },
          abandon: async () => {
            log.push(`abandon ${t.id}`);
          },
        };
      },
    };
    const releaseA = async () => {
      while (!finishA) await new Promise((resolve) => setImmediate(resolve));
      finishA();
    };
    return { executor, log, releaseA };
  }
  const plan = () => [task('a', { estimateMinutes: 10 }), task('b', { dependsOn: ['a'] }), task('c', { dependsOn: ['b'] })];

  it('uses an idle slot for a task whose dependency is running, and keeps the work when it is confirmed', async () => {
    const { executor, log, releaseA } = speculativeExecutor({ confirm: 'completed' });
    const run = new Scheduler({ maxParallel: 2, executor, isSpeculative: true }).run(plan());
    await releaseA();
    const result = await run;
    // c speculates too, while b's confirmation runs.
    expect(log).toEqual(['execute a', 'speculate b', 'confirm b', 'speculate c', 'confirm c']);
    expect(Object.fromEntries(result.outcomes)).toEqual({ a: 'completed', b: 'completed', c: 'completed' });
    expect(result.speculation).toEqual({ started: 2, kept: 2, rerun: 0, abandoned: 0 });
  });

  it('runs the task again when the confirmation says its inputs changed', async () => {
    const { executor, log, releaseA } = speculativeExecutor({ confirm: 'rerun' });
    const run = new Scheduler({ maxParallel: 2, executor, isSpeculative: true }).run(plan().slice(0, 2));
    await releaseA();
    const result = await run;
    expect(log).toEqual(['execute a', 'speculate b', 'confirm b', 'execute b']);
    expect(result.speculation).toEqual({ started: 1, kept: 0, rerun: 1, abandoned: 0 });
    expect(result.outcomes.get('b')).toBe('completed');
  });

  it('abandons the speculation when the dependency fails, and reports the task blocked', async () => {
    const { executor, log, releaseA } = speculativeExecutor({ confirm: 'completed', failing: ['a'] });
    const run = new Scheduler({ maxParallel: 2, executor, isSpeculative: true }).run(plan());
    await releaseA();
    const result = await run;
    expect(log).toEqual(['execute a', 'speculate b', 'abandon b']);
    expect(Object.fromEntries(result.outcomes)).toEqual({ a: 'failed', b: 'blocked', c: 'blocked' });
    expect(result.blockedBy.get('c')).toEqual(['a']);
    expect(result.speculation.abandoned).toBe(1);
  });

  it('does not speculate without the option', async () => {
    const { executor, log, releaseA } = speculativeExecutor({ confirm: 'completed' });
    const run = new Scheduler({ maxParallel: 2, executor }).run(plan());
    await releaseA();
    await run;
    expect(log).toEqual(['execute a', 'execute b', 'execute c']);
  });
});
