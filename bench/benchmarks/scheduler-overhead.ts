import { type ExecutionOutcome, Scheduler, type Task, type TaskExecutor } from '@qoder-orch/core';
import { type Benchmark, compare, fixed, table } from '../harness';
import { layeredDag } from '../random-dag';

const instant: TaskExecutor = { execute: async (): Promise<ExecutionOutcome> => 'completed' };

/**
 * Pure scheduling work per task: the real Scheduler with an executor that completes at once,
 * against a baseline that makes the same N executor calls with no scheduling at all
 * (Promise.all). The difference, divided by N, is what the scheduler costs per task.
 */
export const schedulerOverhead: Benchmark = {
  name: 'scheduler-overhead',
  description: 'Scheduling work per task (µs) with an instant executor at 1 000 and 10 000 tasks, against Promise.all of the same calls.',
  async run({ isQuick, log }) {
    const sizes = isQuick ? [1000, 2000] : [1000, 10_000];
    const runs = isQuick ? 3 : 7;
    log(`Layered DAGs (each task depends on 2 tasks of the layer before); median of ${runs} runs after 1 warm-up, baseline and subject interleaved.`);
    log(`Baseline: Promise.all of N instant executor calls. Scheduling work per task = (scheduler − baseline) / N. Target: < 50 µs.`);
    const rows: string[][] = [];
    // Files differ from run to run (`round`), so every measured run pays for analysing new patterns, as a new plan would.
    const cases: Array<{ label: string; width: (size: number) => number; slots: number; files: (index: number, round: number) => Partial<Task> }> = [
      { label: 'width 100, 8 slots', width: () => 100, slots: 8, files: () => ({}) },
      { label: 'width 100, 8 slots, 2 files each', width: () => 100, slots: 8, files: (index, round) => ({ files: [`src/module-${round}-${index}/index.ts`, `src/module-${round}-${index}/**/*.test.ts`] }) },
      { label: 'one layer (all ready), 8 slots', width: (size) => size, slots: 8, files: () => ({}) },
      { label: 'width 100, 64 slots', width: () => 100, slots: 64, files: () => ({}) },
    ];
    for (const size of sizes) {
      for (const { label, width, slots, files } of cases) {
        const plans = Array.from({ length: runs + 1 }, (_, round) => layeredDag(size, width(size), 1, (index) => files(index, round)));
        let round = 0;
        const result = await compare(
          () => Promise.all(plans[0]!.map((task) => instant.execute(task, { slot: 0, abortSignal: new AbortController().signal }))),
          async () => {
            const outcome = await new Scheduler({ maxParallel: slots, executor: instant }).run(plans[round++]!);
            if (outcome.startOrder.length !== size) throw new Error('not every task started');
          },
          { warmup: 1, runs },
        );
        const perTaskUs = ((result.subject.medianMs - result.baseline.medianMs) * 1000) / size;
        rows.push([
          `${size} tasks, ${label}`,
          fixed(result.baseline.medianMs, 1),
          fixed(result.subject.medianMs, 1),
          fixed(result.ratio, 1),
          fixed(perTaskUs, 1),
          fixed(((result.subject.cpuMedianMs - result.baseline.cpuMedianMs) * 1000) / size, 1),
        ]);
      }
    }
    log(table(['plan', 'baseline ms', 'scheduler ms', 'ratio', 'wall µs / task', 'CPU µs / task'], rows));
    log('CPU µs / task: the same difference in CPU time of this process, which other load on the machine inflates less.');
  },
};
