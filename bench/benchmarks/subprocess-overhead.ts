import { tmpdir } from 'node:os';
import { type Benchmark, compare, fixed, table } from '../harness';
import { pool, runOrchestrator, scriptedProvider } from '../orchestrator-setup';
import { layeredDag } from '../random-dag';
import { spawnStubAgent } from '../stub-command-provider';

/**
 * The orchestrator running every task as a real subprocess of a stub agent (`node -e …`
 * through execa), against spawning the same processes directly, at most `slots` at once.
 * The ratio is what we add on top of process start-up; with real agents (minutes per task)
 * it is far smaller still.
 */
export const subprocessOverhead: Benchmark = {
  name: 'subprocess-overhead',
  description: 'Orchestrator with a real subprocess per task (stub agent via execa) vs spawning the same processes directly.',
  async run({ isQuick, log }) {
    const sizes = isQuick ? [8] : [24, 48];
    const slots = 4;
    const runs = isQuick ? 1 : 7;
    log(`Plan: N independent tasks. Stub agent: \`node -e <print one JSON line>\` per task, spawned with execa (argument vector). ${slots} slots; median of ${runs} runs after 1 warm-up, interleaved.`);
    log(`Baseline: the same N processes spawned directly, ${slots} at a time.`);
    log(`Wall time on a loaded 2-core machine swings by tens of percent between runs (min–max shown); the CPU time this`);
    log(`process spends (children excluded) is the steadier measure of what the orchestrator adds.`);
    const rows: string[][] = [];
    for (const size of sizes) {
      // Independent tasks: the direct spawns do not wait for dependencies either, so the difference is overhead only.
      const tasks = layeredDag(size, size, 1);
      const provider = scriptedProvider(tasks, (options) => spawnStubAgent(options.taskId, options.cwd, options.abortSignal));
      const result = await compare(
        () => pool(size, slots, (index) => spawnStubAgent(tasks[index]!.id, tmpdir())),
        () => runOrchestrator(tasks, provider, slots),
        { warmup: 1, runs },
      );
      const range = (timing: typeof result.baseline) => `${fixed(timing.medianMs, 0)} (${fixed(timing.minMs, 0)}–${fixed(timing.maxMs, 0)})`;
      rows.push([
        `${size} tasks`,
        range(result.baseline),
        range(result.subject),
        fixed(result.ratio, 2),
        fixed(result.baseline.cpuMedianMs / size, 1),
        fixed(result.subject.cpuMedianMs / size, 1),
        fixed((result.subject.cpuMedianMs - result.baseline.cpuMedianMs) / size, 1),
      ]);
    }
    log(table(['plan', 'direct wall ms', 'orchestrator wall ms', 'wall ratio', 'direct CPU ms/task', 'orch. CPU ms/task', 'added CPU ms/task'], rows));
  },
};
