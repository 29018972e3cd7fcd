import { type Benchmark, fixed, median, table } from '../harness';
import { runOrchestrator, scriptedProvider } from '../orchestrator-setup';
import { layeredDag, withIdPrefix } from '../random-dag';
import type { Task } from '@qoder-orch/core';

const MiB = 2 ** 20;
/** The planner's cap: bigger runs go on through follow-up iterations of this many tasks. */
const PER_ITERATION = 500;

interface Measured {
  wallMs: number;
  cpuMs: number;
  /** The highest heap seen at a task start, above the heap when the run began. */
  peakHeapDelta: number;
}

/** Plans of `size` tasks: one iteration up to the planner's cap, then follow-ups of 500. */
function plansOf(size: number): { tasks: Task[]; followUps: Task[][] } {
  const iterations = Math.max(1, Math.ceil(size / PER_ITERATION));
  const tasks = layeredDag(size / iterations, 50, 1);
  return { tasks, followUps: Array.from({ length: iterations - 1 }, (_, index) => withIdPrefix(tasks, `i${index + 2}-`)) };
}

async function measure(size: number, store: 'memory' | 'file'): Promise<Measured> {
  const { tasks, followUps } = plansOf(size);
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  const provider = scriptedProvider(tasks, async (options) => {
    const heap = process.memoryUsage().heapUsed;
    if (heap > peak) peak = heap;
    return { summary: `Completed ${options.taskId}.`, usage: { inputTokens: 100, outputTokens: 50 }, durationMs: 0 };
  });
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await runOrchestrator(tasks, provider, 8, store, followUps);
  const wallMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakHeapDelta: peak - heapBefore };
}

/**
 * Orchestration cost per task as the run grows: 100, 500, 1 000 and 5 000 tasks (past 500, in
 * follow-up iterations of 500 through a judge), the same code path at every size. Baseline: a
 * run of 100 tasks in the same process, alternated with each measured run (100, N, 100, N …),
 * so the ratio of ms per task says whether the cost per task stays flat as the run grows.
 */
export const orchestratorScaling: Benchmark = {
  name: 'orchestrator-scaling',
  description: 'Orchestration ms per task at 100, 500, 1 000 and 5 000 tasks against a 100-task run alternated with it (target: flat within 1.5x), and peak heap.',
  async run({ isQuick, log }) {
    const sizes = isQuick ? [100, 500, 1000] : [100, 500, 1000, 5000];
    const stores = ['file', 'memory'] as const;
    log(`Layered DAGs of width 50, 8 slots, an instant mock provider, the directory workspace; past ${PER_ITERATION} tasks the run goes on in follow-up iterations of ${PER_ITERATION}.`);
    log('Baseline: a 100-task run alternated with each measured run, same process. Ratio = (ms / task at N) / (ms / task of the 100-task runs). Target: <= 1.5.');
    const rows: string[][] = [];
    for (const store of stores) {
      // Warm-up (JIT, lazily loaded modules).
      await measure(100, store);
      for (const size of sizes) {
        const runs = size >= 5000 ? 1 : size >= 1000 ? 2 : 3;
        const baseline: Measured[] = [];
        const subject: Measured[] = [];
        for (let index = 0; index < runs; index += 1) {
          baseline.push(await measure(100, store));
          subject.push(await measure(size, store));
        }
        const basePerTask = median(baseline.map((run) => run.wallMs)) / 100;
        const perTask = median(subject.map((run) => run.wallMs)) / size;
        const cpuPerTask = median(subject.map((run) => run.cpuMs)) / size;
        const peak = median(subject.map((run) => run.peakHeapDelta));
        rows.push([
          `${size} tasks${size > PER_ITERATION ? ` (${Math.ceil(size / PER_ITERATION)} iterations)` : ''}, ${store === 'file' ? 'FileRunStore' : 'MemoryRunStore'}`,
          String(runs),
          fixed(basePerTask, 2),
          fixed(perTask, 2),
          fixed(cpuPerTask, 2),
          fixed(perTask / basePerTask, 2),
          fixed(peak / MiB, 1),
          fixed(peak / 1024 / size, 1),
        ]);
      }
    }
    log(table(['run', 'runs', '100-task ms / task', 'ms / task', 'CPU ms / task', 'ratio', 'peak Δ heap MiB', 'peak Δ heap KiB / task'], rows));
  },
};
