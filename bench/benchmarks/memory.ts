import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ExecutionOutcome, Scheduler, type Task } from '@qoder-orch/core';
import { type Benchmark, fixed, median, table } from '../harness';
import { runOrchestrator, scriptedProvider } from '../orchestrator-setup';
import { layeredDag, withIdPrefix } from '../random-dag';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const MiB = 2 ** 20;

interface Usage {
  rss: number;
  heapUsed: number;
}

const settledUsage = (): Usage => {
  collectGarbage();
  collectGarbage();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

/**
 * Tracks the highest RSS and heap seen by `sample()` (the heap peak includes garbage not yet
 * collected), and the live heap after GC when the last of `size` tasks starts (what the run
 * holds on to by its end).
 */
function peakTracker(size: number) {
  const peak: Usage = { rss: 0, heapUsed: 0 };
  let starts = 0;
  let atLastStart: Usage | undefined;
  return {
    peak,
    get atLastStart() {
      return atLastStart!;
    },
    sample() {
      starts += 1;
      if (starts === size) atLastStart = settledUsage();
      const { rss, heapUsed } = process.memoryUsage();
      peak.rss = Math.max(peak.rss, rss);
      peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
    },
  };
}

/** A gate that holds every started task until `count` are running, then samples memory (after GC) and lets them all finish. */
function runningGate(count: number) {
  let waiting: Array<() => void> = [];
  let atPeak: Usage | undefined;
  return {
    get atPeak() {
      return atPeak;
    },
    enter(): Promise<void> {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === count) {
          atPeak ??= settledUsage();
          const release = waiting;
          waiting = [];
          for (const next of release) next();
        }
      });
    },
  };
}

const header = ['run', 'RSS before MiB', 'peak RSS MiB', 'Δ RSS MiB', 'peak Δ heap MiB', 'live Δ heap at end MiB', 'live KiB / task'];
const row = (label: string, size: number, before: Usage, tracker: ReturnType<typeof peakTracker>): string[] => [
  label,
  fixed(before.rss / MiB, 1),
  fixed(tracker.peak.rss / MiB, 1),
  fixed((tracker.peak.rss - before.rss) / MiB, 1),
  fixed((tracker.peak.heapUsed - before.heapUsed) / MiB, 1),
  fixed((tracker.atLastStart.heapUsed - before.heapUsed) / MiB, 1),
  fixed((tracker.atLastStart.heapUsed - before.heapUsed) / 1024 / size, 1),
];
const BASELINE_NOTE = [
  'Baseline: RSS and heap after GC just before the run, in the same (fresh) process (orchestrator: after a 10-task warm-up run).',
  'Peaks are sampled at every task start (the heap peak includes garbage not yet collected); "live" is the heap after GC',
  'when the last task starts: what the run holds on to.',
].join('\n');
const processPeak = () => `Process peak RSS (getrusage), everything included: ${fixed(process.resourceUsage().maxRSS / 1024, 1)} MiB.`;

async function orchestratorPeak(size: number, iterations: number): Promise<string[]> {
  // Warm-up: a small run first, so lazily loaded code and JIT state are not counted as the run's.
  const warmUp = layeredDag(10, 5, 2);
  await runOrchestrator(warmUp, scriptedProvider(warmUp), 8);
  const tasks = layeredDag(size / iterations, 50, 1);
  const followUps = Array.from({ length: iterations - 1 }, (_, index) => withIdPrefix(tasks, `i${index + 2}-`));
  const tracker = peakTracker(size);
  const provider = scriptedProvider(tasks, async (options) => {
    tracker.sample();
    await new Promise((resolve) => setImmediate(resolve));
    return { summary: `Completed ${options.taskId}.`, usage: { inputTokens: 100, outputTokens: 50 }, durationMs: 0 };
  });
  const before = settledUsage();
  await runOrchestrator(tasks, provider, 8, 'memory', followUps);
  tracker.sample();
  return row(`orchestrator, ${size} tasks${iterations > 1 ? ` in ${iterations} iterations` : ''}, 8 slots, MemoryRunStore`, size, before, tracker);
}

/**
 * Memory, each measurement in its own process (`pnpm bench memory` runs them all): peak RSS
 * and heap of a 1000-task plan through the Scheduler, of a 500-task plan (the planner's cap),
 * of 1000 tasks over two iterations and of 5000 over ten through the orchestrator, and the heap per running
 * task (the heap after GC with K tasks running at once minus the heap with 1, over K − 1).
 */
export const memoryBenchmarks: readonly Benchmark[] = [
  {
    name: 'memory-scheduler',
    description: 'Peak RSS / heap of a 1000-task plan through the Scheduler.',
    async run({ isQuick, log }) {
      const size = isQuick ? 200 : 1000;
      log(BASELINE_NOTE);
      const rows: string[][] = [];
      for (const slots of [8, 64]) {
        const tasks = layeredDag(size, 100, 1);
        const tracker = peakTracker(size);
        const before = settledUsage();
        await new Scheduler({
          maxParallel: slots,
          executor: {
            execute: async (): Promise<ExecutionOutcome> => {
              tracker.sample();
              await new Promise((resolve) => setImmediate(resolve));
              return 'completed';
            },
          },
        }).run(tasks);
        rows.push(row(`Scheduler, ${size} tasks, ${slots} slots`, size, before, tracker));
      }
      log(table(header, rows));
      log(processPeak());
    },
  },
  {
    name: 'memory-orchestrator-500',
    description: "Peak RSS / heap of a 500-task plan (the planner's cap) through the orchestrator.",
    async run({ isQuick, log }) {
      log(BASELINE_NOTE);
      log(table(header, [await orchestratorPeak(isQuick ? 100 : 500, 1)]));
      log(processPeak());
    },
  },
  {
    name: 'memory-orchestrator-1000',
    description: 'Peak RSS / heap of 1000 tasks through the orchestrator (two iterations of 500, one run).',
    async run({ isQuick, log }) {
      log(BASELINE_NOTE);
      log(table(header, [await orchestratorPeak(isQuick ? 200 : 1000, 2)]));
      log(processPeak());
    },
  },
  {
    name: 'memory-orchestrator-5000',
    description: 'Peak RSS / heap of 5000 tasks through the orchestrator (ten iterations of 500, one run).',
    async run({ isQuick, log }) {
      log(BASELINE_NOTE);
      log(table(header, [await orchestratorPeak(isQuick ? 1000 : 5000, isQuick ? 2 : 10)]));
      log(processPeak());
    },
  },
  {
    name: 'memory-per-running-task',
    description: 'Heap per running task: K = 64 tasks held running at once against 1.',
    async run({ log }) {
      const many = 64;
      const heapWithRunning = async (kind: 'scheduler' | 'orchestrator', count: number): Promise<number> => {
        const gate = runningGate(count);
        const tasks: Task[] = layeredDag(count, count, 1);
        if (kind === 'scheduler') {
          await new Scheduler({ maxParallel: count, executor: { execute: async () => (await gate.enter(), 'completed') } }).run(tasks);
        } else {
          const provider = scriptedProvider(tasks, async (options) => {
            await gate.enter();
            return { summary: `Completed ${options.taskId}.`, usage: { inputTokens: 100, outputTokens: 50 }, durationMs: 0 };
          });
          await runOrchestrator(tasks, provider, count);
        }
        return gate.atPeak!.heapUsed;
      };
      const rounds = 5;
      log(`Baseline: the heap (after GC) while 1 task is running; figure: (heap while ${many} run − baseline) / ${many - 1}.`);
      log(`Median of ${rounds} rounds (1 then ${many}) after a warm-up.`);
      const rows: string[][] = [];
      for (const kind of ['scheduler', 'orchestrator'] as const) {
        await heapWithRunning(kind, many);
        const ones: number[] = [];
        const fulls: number[] = [];
        const perTask: number[] = [];
        for (let round = 0; round < rounds; round += 1) {
          const one = await heapWithRunning(kind, 1);
          const full = await heapWithRunning(kind, many);
          ones.push(one);
          fulls.push(full);
          perTask.push((full - one) / (many - 1));
        }
        rows.push([kind, fixed(median(ones) / MiB, 2), fixed(median(fulls) / MiB, 2), fixed(median(perTask) / 1024, 1)]);
      }
      log(table(['running at once', 'heap with 1 running MiB', `with ${many} running MiB`, 'KiB per running task'], rows));
    },
  },
];
