import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { Benchmark, BenchContext } from './harness';
import { takeMachineLock } from './machine-lock';
import { batching } from './benchmarks/batching';
import { learnedDurations } from './benchmarks/learned-durations';
import { makespan } from './benchmarks/makespan';
import { memoryBenchmarks } from './benchmarks/memory';
import { orchestratorOverhead } from './benchmarks/orchestrator-overhead';
import { orchestratorScaling } from './benchmarks/orchestrator-scaling';
import { schedulerOverhead } from './benchmarks/scheduler-overhead';
import { subprocessOverhead } from './benchmarks/subprocess-overhead';
import { speculation } from './benchmarks/speculation';
import { retrieval } from './benchmarks/retrieval';
import { contractCorpus } from './benchmarks/contract-corpus';
import { gitLayer } from './benchmarks/git-layer';
import { gitSpawn } from './benchmarks/git-spawn';
import { claudeWall } from './benchmarks/claude-wall';
import { provisioning } from './benchmarks/provisioning';
import { distributed } from './benchmarks/distributed';

/**
 * `pnpm bench [--quick] [name...]`: runs the named benchmarks (all when none is named); a
 * name also selects the group of benchmarks named `<name>-…` (`memory`). Each
 * benchmark runs in its own child process when more than one is selected, so one's memory and
 * JIT state do not colour the next.
 */
const BENCHMARKS: readonly Benchmark[] = [
  makespan,
  learnedDurations,
  schedulerOverhead,
  orchestratorOverhead,
  orchestratorScaling,
  subprocessOverhead,
  batching,
  speculation,
  retrieval,
  contractCorpus,
  gitLayer,
  gitSpawn,
  claudeWall,
  provisioning,
  distributed,
  ...memoryBenchmarks,
];

const args = process.argv.slice(2);
const isQuick = args.includes('--quick');
const names = args.filter((arg) => !arg.startsWith('--'));
const repositoryFlags = args.filter((arg) => arg.startsWith('--repository='));
const repositories = repositoryFlags.map((arg) => resolve(arg.slice('--repository='.length)));
const isSelectedBy = (benchmark: Benchmark, name: string) => benchmark.name === name || benchmark.name.startsWith(`${name}-`);
const unknown = names.filter((name) => !BENCHMARKS.some((benchmark) => isSelectedBy(benchmark, name)));
if (unknown.length > 0 || args.includes('--help')) {
  if (unknown.length > 0) console.error(`Unknown benchmark(s): ${unknown.join(', ')}`);
  console.error(
    `Usage: pnpm bench [--quick] [--concurrent] [--repository=<path>...] [name...]   (memory = every memory-… benchmark)\n\n${BENCHMARKS.map((benchmark) => `  ${benchmark.name.padEnd(26)} ${benchmark.description}`).join('\n')}`,
  );
  process.exit(unknown.length > 0 ? 1 : 0);
}

const lock = takeMachineLock();
if (!lock.isHeld && !args.includes('--concurrent')) {
  console.error(`Another benchmark run (process ${lock.holder}) is using this machine: two at once share its cores and both sets of figures would be wrong. Wait for it, or pass --concurrent.`);
  process.exit(1);
}
process.once('exit', () => {
  if (lock.isHeld) lock.release();
});

const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((benchmark) => names.some((name) => isSelectedBy(benchmark, name)));
const context: BenchContext = { isQuick, repositories, log: (line = '') => console.log(line) };

if (selected.length === 1) {
  const benchmark = selected[0]!;
  console.log(`\n## ${benchmark.name}${isQuick ? ' (quick)' : ''}: ${benchmark.description}`);
  console.log(`node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB\n`);
  const startedAt = Date.now();
  await benchmark.run(context);
  console.log(`\n(${benchmark.name}: ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
} else {
  for (const benchmark of selected) {
    execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, ...(isQuick ? ['--quick'] : []), ...repositoryFlags, benchmark.name], { stdio: 'inherit' });
  }
}
