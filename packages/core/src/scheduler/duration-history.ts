import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, coalescedWriter } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import { type DurationEstimator, planEstimate } from './critical-path';

const MS_PER_MINUTE = 60_000;

const SampleSchema = z.object({
  /** The plan's estimate when the task ran. */
  estimateMinutes: z.number().positive(),
  /** How long it actually took. */
  durationMs: z.number().positive(),
});
type Sample = z.infer<typeof SampleSchema>;

export const DurationHistoryFileSchema = z.object({
  version: z.literal(1),
  /** Subagent → size bucket (see {@link sizeBucket}) → samples, oldest first. */
  agents: z.record(z.string(), z.record(z.string(), z.array(SampleSchema))),
});
export type DurationHistoryFile = z.infer<typeof DurationHistoryFileSchema>;

export interface DurationHistoryOptions {
  /** JSON file the history is loaded from and saved to. @default none: kept in memory only */
  file?: string;
  /** Samples an agent (or an agent and size bucket) needs before its measurements are used. @default 3 */
  minSamples?: number;
  /** The most recent samples kept per agent and size bucket. @default 50 */
  maxSamplesPerBucket?: number;
  /**
   * How strongly the plan's own estimate is trusted, in samples: the learned correction is
   * shrunk towards "the plan is right" as if this many samples had said so. @default 2
   */
  priorWeight?: number;
}

/** The file was unreadable or corrupt (the history then starts fresh), or could not be saved. */
export interface DurationHistoryWarning {
  code: 'DURATION_HISTORY_CORRUPT' | 'DURATION_HISTORY_WRITE';
  message: string;
}

export interface DurationHistory {
  /**
   * Records how long a finished task took. Resolves when the history file (if any) holds it;
   * a failed save is reported by `takeWarnings`, never thrown. Record completed tasks only:
   * a failure's duration says little about the work.
   */
  record(task: Task, durationMs: number): Promise<void>;
  /**
   * A {@link DurationEstimator} in minutes for the scheduler: the plan's estimate until there
   * are `minSamples` measurements for the task's agent, then the estimate times the median
   * ratio measured / estimated (of the agent and size bucket when that bucket has enough
   * samples, else of the agent), shrunk towards 1 by `priorWeight`. Reads the live history.
   */
  estimator(): DurationEstimator;
  /** The correction factor currently applied to the task's estimate (1 when nothing is learned). */
  correctionFor(task: Task): number;
  /** A copy of everything recorded. */
  snapshot(): DurationHistoryFile;
  /** Resolves when every pending save has finished. */
  flush(): Promise<void>;
  /** The warnings since the last call (loading, saving), oldest first; the list is emptied. */
  takeWarnings(): DurationHistoryWarning[];
}

const ESTIMATE_BUCKETS = [5, 15, 45, 120] as const;
const FILE_BUCKETS = [0, 2, 5] as const;

/** The size bucket of a task: its estimate (≤5, ≤15, ≤45, ≤120, >120 minutes) and its declared files (0, 1–2, 3–5, 6+). */
export function sizeBucket(task: Pick<Task, 'estimateMinutes' | 'files'>): string {
  const estimate = ESTIMATE_BUCKETS.find((limit) => task.estimateMinutes <= limit);
  const files = FILE_BUCKETS.find((limit) => task.files.length <= limit);
  return `m${estimate ?? `>${ESTIMATE_BUCKETS.at(-1)}`}-f${files ?? `>${FILE_BUCKETS.at(-1)}`}`;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const ratio = (sample: Sample): number => sample.durationMs / (sample.estimateMinutes * MS_PER_MINUTE);

const positiveInteger = (value: number, name: string): number => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
};

async function load(file: string, onWarning: (warning: DurationHistoryWarning) => void): Promise<DurationHistoryFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, agents: {} };
    onWarning({ code: 'DURATION_HISTORY_CORRUPT', message: `Cannot read the duration history ${file} (${(error as Error).message}); starting fresh.` });
    return { version: 1, agents: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    onWarning({ code: 'DURATION_HISTORY_CORRUPT', message: `The duration history ${file} is not valid JSON; starting fresh.` });
    return { version: 1, agents: {} };
  }
  const parsed = DurationHistoryFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    onWarning({
      code: 'DURATION_HISTORY_CORRUPT',
      message: `The duration history ${file} does not have the expected shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}); starting fresh.`,
    });
    return { version: 1, agents: {} };
  }
  return parsed.data;
}

/**
 * Learns how long tasks really take, per subagent and size bucket, so critical-path priority
 * can use measurements instead of the planner's guesses. Persisted as JSON (written
 * atomically); a corrupt file is reported and replaced, never fatal.
 *
 * ```ts
 * const history = await createDurationHistory({ file: '.qoder-orch/durations.json' });
 * const scheduler = new Scheduler({ maxParallel: 4, executor, estimate: history.estimator() });
 * // after each completed task:
 * await history.record(task, result.durationMs);
 * ```
 */
export async function createDurationHistory(options: DurationHistoryOptions = {}): Promise<DurationHistory> {
  const minSamples = positiveInteger(options.minSamples ?? 3, 'minSamples');
  const maxSamples = positiveInteger(options.maxSamplesPerBucket ?? 50, 'maxSamplesPerBucket');
  const priorWeight = options.priorWeight ?? 2;
  if (!Number.isFinite(priorWeight) || priorWeight < 0) throw new RangeError(`priorWeight must be a non-negative number, got ${priorWeight}`);
  const { file } = options;
  // Kept, not called back: a warning of the load happens before anyone could listen.
  let warnings: DurationHistoryWarning[] = [];
  const onWarning = (warning: DurationHistoryWarning) => void warnings.push(warning);
  const data = file === undefined ? { version: 1 as const, agents: {} } : await load(file, onWarning);

  // Saves are serialised; a save requested while one is waiting to start is merged into it.
  const writer = coalescedWriter(async () => {
    if (file === undefined) return;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFileAtomic(file, `${JSON.stringify(data)}\n`);
    } catch (error) {
      onWarning({ code: 'DURATION_HISTORY_WRITE', message: `Cannot save the duration history ${file}: ${(error as Error).message}` });
    }
  });
  const save = (): Promise<void> => (file === undefined ? Promise.resolve() : writer.request());

  const correctionFor = (task: Task): number => {
    const buckets = data.agents[task.agent];
    if (!buckets) return 1;
    const bucket = buckets[sizeBucket(task)] ?? [];
    const samples = bucket.length >= minSamples ? bucket : Object.values(buckets).flat();
    if (samples.length < minSamples) return 1;
    // Median in log space is robust to outliers; shrinking the log towards 0 trusts the plan a little.
    const logRatio = Math.log(median(samples.map(ratio)));
    return Math.exp((logRatio * samples.length) / (samples.length + priorWeight));
  };

  return {
    async record(task, durationMs) {
      if (!Number.isFinite(durationMs) || durationMs <= 0) throw new RangeError(`durationMs must be a positive number, got ${durationMs}`);
      if (!Number.isFinite(task.estimateMinutes) || task.estimateMinutes <= 0) {
        throw new RangeError(`task ${task.id} has no positive estimateMinutes (${task.estimateMinutes}); parse it with TaskSchema first`);
      }
      const buckets = (data.agents[task.agent] ??= {});
      const bucket = (buckets[sizeBucket(task)] ??= []);
      bucket.push({ estimateMinutes: task.estimateMinutes, durationMs });
      if (bucket.length > maxSamples) bucket.splice(0, bucket.length - maxSamples);
      await save();
    },
    estimator() {
      return (task) => planEstimate(task) * correctionFor(task);
    },
    correctionFor,
    snapshot() {
      return structuredClone(data);
    },
    async flush() {
      await writer.onIdle();
    },
    takeWarnings() {
      const taken = warnings;
      warnings = [];
      return taken;
    },
  };
}
