import { tmpdir } from 'node:os';
import { type Benchmark, compare, fixed, table } from '../harness';
import { pool, runOrchestrator, scriptedProvider } from '../orchestrator-setup';
import { layeredDag, withIdPrefix } from '../random-dag';

/**
 * Everything the orchestrator adds per task with an agent that answers at once: planning
 * (parse and validate the plan), scheduling, prompts, events, run-state writes, results,
 * the judge. Baseline: the same provider's calls (plan, N tasks, judge) made directly, N of
 * them at most `slots` at once.
 */
export const orchestratorOverhead: Benchmark = {
  name: 'orchestrator-overhead',
  description: 'Everything the orchestrator adds per task (ms), with an instant mock provider and a MemoryRunStore or FileRunStore, against the bare provider calls.',
  async run({ isQuick, log }) {
    const sizes = isQuick ? [50, 100] : [100, 250, 500];
    const slots = 8;
    const runs = isQuick ? 2 : 5;
    log(`Layered DAGs of width 50 (the planner caps plans at 500 tasks); ${slots} slots; median of ${runs} runs after 1 warm-up, interleaved with the baseline.`);
    log(`Baseline: the plan and judge completions plus N doRunTask calls of the same provider, ${slots} at a time. Target: < 5 ms per task.`);
    const rows: string[][] = [];
    const cases = [
      ...sizes.map((size) => ({ size, store: 'memory' as const, iterations: 1 })),
      ...(isQuick
        ? [{ size: 50, store: 'file' as const, iterations: 1 }]
        : [
            { size: 100, store: 'file' as const, iterations: 1 },
            { size: 250, store: 'file' as const, iterations: 1 },
          ]),
      // Beyond the planner's cap: a judge hands the next 500 over as follow-up tasks. Long, so measured once.
      { size: isQuick ? 100 : 1000, store: 'memory' as const, iterations: 2 },
    ];
    for (const { size, store, iterations } of cases) {
      const perIteration = size / iterations;
      const tasks = layeredDag(perIteration, 50, 1);
      const followUps = Array.from({ length: iterations - 1 }, (_, index) => withIdPrefix(tasks, `i${index + 2}-`));
      const provider = scriptedProvider(tasks);
      const result = await compare(
        async () => {
          await provider.doComplete({ prompt: 'plan', purpose: 'plan' });
          await pool(size, slots, (index) => provider.doRunTask({ taskId: `t${index}`, prompt: `Task ${index}`, cwd: tmpdir() }));
          await provider.doComplete({ prompt: 'judge', purpose: 'judge' });
        },
        () => runOrchestrator(tasks, provider, slots, store, followUps),
        iterations === 1 ? { warmup: 1, runs } : { warmup: 0, runs: 1 },
      );
      rows.push([
        `${size} tasks${iterations > 1 ? ` in ${iterations} iterations` : ''}, ${store === 'memory' ? 'MemoryRunStore' : 'FileRunStore'}`,
        fixed(result.baseline.medianMs, 1),
        fixed(result.subject.medianMs, 1),
        fixed(result.ratio, 0),
        fixed((result.subject.medianMs - result.baseline.medianMs) / size, 2),
        fixed((result.subject.cpuMedianMs - result.baseline.cpuMedianMs) / size, 2),
      ]);
    }
    log(table(['plan', 'baseline ms', 'orchestrator ms', 'ratio', 'wall ms / task', 'CPU ms / task'], rows));
    log(`If ms / task grows with the plan size, some per-task work is proportional to the plan (see docs/performance.md).`);
  },
};
