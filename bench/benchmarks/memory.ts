import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ExecutionOutcome, Scheduler, type Task } from '@qoder-orch/core';
import { type Benchmark, fixed, table } from '../harness';
import { runOrchestrator, scriptedProvider } from '../orchestrator-setup';
import { layeredDag } from '../random-dag';

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

/** Tracks the highest RSS and heap seen by `sample()`. */
function peakTracker() {
  const peak: Usage = { rss: 0, heapUsed: 0 };
  return {
    peak,
    sample() {
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

/**
 * Memory of a 1000-task plan through the Scheduler, of a 500-task plan (the planner's cap)
 * through the orchestrator, and per running task: the heap (after GC) with K tasks running
 * at once minus the heap with 1, divided by K − 1.
 */
export const memory: Benchmark = {
  name: 'memory',
  description: 'Peak RSS / heap for 1000-task plans (Scheduler) and 500-task plans (orchestrator, MemoryRunStore), and heap per running task.',
  async run({ isQuick, log }) {
    const schedulerSize = isQuick ? 200 : 1000;
    const orchestratorSize = isQuick ? 100 : 500;
    log('Baseline: RSS and heap after GC just before each run, in the same process. Peaks are sampled at every task start.');
    const rows: string[][] = [];
    const report = (label: string, size: number, before: Usage, peak: Usage) =>
      rows.push([
        label,
        fixed(before.rss / MiB, 1),
        fixed(peak.rss / MiB, 1),
        fixed((peak.rss - before.rss) / MiB, 1),
        fixed((peak.heapUsed - before.heapUsed) / MiB, 1),
        fixed((peak.heapUsed - before.heapUsed) / 1024 / size, 1),
      ]);

    for (const slots of [8, 64]) {
      const tasks = layeredDag(schedulerSize, 100, 1);
      const tracker = peakTracker();
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
      report(`Scheduler, ${schedulerSize} tasks, ${slots} slots`, schedulerSize, before, tracker.peak);
    }
    {
      const tasks = layeredDag(orchestratorSize, 50, 1);
      const tracker = peakTracker();
      const provider = scriptedProvider(tasks, async (options) => {
        tracker.sample();
        await new Promise((resolve) => setImmediate(resolve));
        return { summary: `Completed ${options.taskId}.`, usage: { inputTokens: 100, outputTokens: 50 }, durationMs: 0 };
      });
      const before = settledUsage();
      await runOrchestrator(tasks, provider, 8);
      tracker.sample();
      report(`orchestrator, ${orchestratorSize} tasks, 8 slots`, orchestratorSize, before, tracker.peak);
    }
    log(table(['run', 'RSS before MiB', 'peak RSS MiB', 'Δ RSS MiB', 'Δ heap MiB', 'Δ heap KiB / task'], rows));

    // Per running task: K tasks held running at once.
    const perTask: string[][] = [];
    const heapWithRunning = async (kind: 'scheduler' | 'orchestrator', count: number): Promise<number> => {
      const gate = runningGate(count);
      const tasks: Task[] = layeredDag(count, count, 1);
      const before = settledUsage();
      if (kind === 'scheduler') {
        await new Scheduler({ maxParallel: count, executor: { execute: async () => (await gate.enter(), 'completed') } }).run(tasks);
      } else {
        const provider = scriptedProvider(tasks, async (options) => {
          await gate.enter();
          return { summary: `Completed ${options.taskId}.`, usage: { inputTokens: 100, outputTokens: 50 }, durationMs: 0 };
        });
        await runOrchestrator(tasks, provider, count);
      }
      return gate.atPeak!.heapUsed - before.heapUsed;
    };
    for (const kind of ['scheduler', 'orchestrator'] as const) {
      const many = 64;
      await heapWithRunning(kind, many); // warm-up: module code, JIT
      const one = await heapWithRunning(kind, 1);
      const full = await heapWithRunning(kind, many);
      perTask.push([kind, fixed(one / 1024, 0), fixed(full / 1024, 0), fixed((full - one) / 1024 / (many - 1), 1)]);
    }
    log('');
    log(table(['running at once', 'heap Δ with 1 running KiB', 'with 64 running KiB', 'KiB per running task'], perTask));
    log(`Process peak RSS (getrusage): ${fixed(process.resourceUsage().maxRSS / 1024, 1)} MiB.`);
  },
};
