import type { DurationEstimator } from '@qoder-orch/core';
import { type Benchmark, fixed, mean, table } from '../harness';
import { createRandom } from '../random';
import { randomDag } from '../random-dag';
import { checkSimulator, lowerBound, simulateFifo, simulateScheduler } from '../simulate';

/** Estimates that are the true duration times a log-normal error (fixed per task and seed). */
function noisyEstimator(durations: ReadonlyMap<string, number>, sigma: number, seed: number): DurationEstimator {
  const random = createRandom(seed);
  const estimates = new Map([...durations].map(([id, duration]) => [id, duration * random.logNormal(0, sigma)]));
  return (task) => estimates.get(task.id)!;
}

const STRATEGIES = ['critical path, exact estimates', 'critical path, noisy ×LN(0,0.5)', 'critical path, noisy ×LN(0,1)', 'plan order (equal priorities)', 'first-ready queue'] as const;

export const makespan: Benchmark = {
  name: 'makespan',
  description: 'Simulated makespan / lower bound on random DAGs: critical-path priority vs first-ready ordering, exact and noisy estimates.',
  async run({ isQuick, log }) {
    const sizes = isQuick ? [50, 200] : [50, 200, 1000];
    const seeds = isQuick ? [1, 2] : [1, 2, 3, 4, 5, 6, 7, 8];
    const slotCounts = [2, 4, 8];
    log(`Random DAGs: each task depends on 0–3 of the W tasks before it (plan order); durations log-normal, median 10 min, sigma 1.`);
    log(`Shapes: "deep" W = 20 (long chains: the critical path often binds); "wide" W = N/4 (short and wide: total work / slots binds).`);
    log(`Figures: mean (worst) of makespan / lower bound over ${seeds.length} seeds; lower bound = max(critical path, total work / slots).`);
    log(`Baseline: the lower bound of the same DAG (1.00 = optimal; the true optimum may sit above it).`);
    const sample = randomDag({ size: 200, seed: 99 });
    await checkSimulator(sample.tasks, sample.durations);
    log('Simulator check passed: 1 slot gives the total work, a slot per task the critical path.');
    const rows: string[][] = [];
    const shapes = [
      { name: 'deep', window: () => 20 },
      { name: 'wide', window: (size: number) => Math.ceil(size / 4) },
    ];
    const configurations = shapes.flatMap((shape) => sizes.flatMap((size) => slotCounts.map((slots) => ({ shape, size, slots }))));
    for (const { shape, size, slots } of configurations) {
      const ratios = new Map<string, number[]>(STRATEGIES.map((strategy) => [strategy, []]));
      let criticalShare = 0;
      for (const seed of seeds) {
        const { tasks, durations } = randomDag({ size, seed, window: shape.window(size) });
        const bound = lowerBound(tasks, durations, slots);
        if (bound.criticalPath >= bound.workPerSlot) criticalShare += 1;
        const exact: DurationEstimator = (task) => durations.get(task.id)!;
        const makespans: Record<(typeof STRATEGIES)[number], number> = {
          'critical path, exact estimates': (await simulateScheduler(tasks, durations, { slots, estimate: exact })).makespan,
          'critical path, noisy ×LN(0,0.5)': (await simulateScheduler(tasks, durations, { slots, estimate: noisyEstimator(durations, 0.5, seed * 7919) })).makespan,
          'critical path, noisy ×LN(0,1)': (await simulateScheduler(tasks, durations, { slots, estimate: noisyEstimator(durations, 1, seed * 7919) })).makespan,
          'plan order (equal priorities)': (await simulateScheduler(tasks, durations, { slots, estimate: () => 0 })).makespan,
          'first-ready queue': simulateFifo(tasks, durations, slots),
        };
        for (const strategy of STRATEGIES) ratios.get(strategy)!.push(makespans[strategy] / bound.bound);
      }
      rows.push([
        `${shape.name}, ${size} tasks, ${slots} slots`,
        `${criticalShare}/${seeds.length}`,
        ...STRATEGIES.map((strategy) => {
          const values = ratios.get(strategy)!;
          return `${fixed(mean(values), 3)} (${fixed(Math.max(...values), 3)})`;
        }),
      ]);
    }
    log(table(['DAG', 'bound = path', 'critical path, exact', 'noisy σ=0.5', 'noisy σ=1', 'plan order', 'first-ready queue'], rows));
    log(`"bound = path": seeds where the critical path (not total work / slots) is the binding bound.`);
  },
};
