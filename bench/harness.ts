import { performance } from 'node:perf_hooks';

/** What a benchmark gets from the runner. */
export interface BenchContext {
  /** `--quick`: small sizes and few runs, for development; the figures in docs/performance.md use the full sizes. */
  isQuick: boolean;
  /** `--repository=<path>` (repeatable): real repositories a benchmark that supports it measures besides its generated ones (`git-layer`). */
  repositories: readonly string[];
  log(line?: string): void;
}

export interface Benchmark {
  name: string;
  description: string;
  run(context: BenchContext): Promise<void>;
}

export interface Timing {
  /** Median of the measured runs, ms. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  /** Median CPU time (user + system) this process spent per run, ms: unlike wall time, not inflated by other processes' load (child processes excluded). */
  cpuMedianMs: number;
}

export interface MeasureOptions {
  /** Runs thrown away first (JIT, caches). @default 1 */
  warmup?: number;
  /** Measured runs; the median is reported. @default 5 */
  runs?: number;
  /** Untimed work before every run of either side (warm-ups included): resetting a repository, say. */
  beforeEach?: (side: 'baseline' | 'subject') => unknown;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

export interface Sample {
  wallMs: number;
  cpuMs: number;
}

function timing(samples: readonly Sample[]): Timing {
  const samplesMs = samples.map((sample) => sample.wallMs);
  return { medianMs: median(samplesMs), minMs: Math.min(...samplesMs), maxMs: Math.max(...samplesMs), samplesMs, cpuMedianMs: median(samples.map((sample) => sample.cpuMs)) };
}

/** Times one run of `body`: wall time and this process's CPU time, ms. */
export async function timeOnce(body: () => unknown): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await body();
  const wallMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Times a baseline and a subject alternately (A B A B …, so drift from other load on the
 * machine hits both alike) and returns both medians and their ratio.
 */
export async function compare(baseline: () => unknown, subject: () => unknown, options: MeasureOptions = {}): Promise<{ baseline: Timing; subject: Timing; ratio: number }> {
  const before = async (side: 'baseline' | 'subject') => {
    await options.beforeEach?.(side);
  };
  for (let index = 0; index < (options.warmup ?? 1); index += 1) {
    await before('baseline');
    await baseline();
    await before('subject');
    await subject();
  }
  const baselineSamples: Sample[] = [];
  const subjectSamples: Sample[] = [];
  for (let index = 0; index < (options.runs ?? 5); index += 1) {
    await before('baseline');
    baselineSamples.push(await timeOnce(baseline));
    await before('subject');
    subjectSamples.push(await timeOnce(subject));
  }
  const result = { baseline: timing(baselineSamples), subject: timing(subjectSamples) };
  return { ...result, ratio: result.subject.medianMs / result.baseline.medianMs };
}

/** A plain-text table, columns right-aligned except the first. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 2): string => value.toFixed(digits);
