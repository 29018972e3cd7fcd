/** What a test worker process (`worker-main.ts`) is started with, as one JSON argument. */
export interface WorkerProcessSettings {
  redis: string;
  workdir: string;
  name: string;
  delayMs?: number;
  delays?: Record<string, number>;
  concurrency?: number;
  queue?: string;
  /** The job lock and stalled-job check (worker-main's defaults: 2000 and 1000 ms, for tests that kill workers). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}
