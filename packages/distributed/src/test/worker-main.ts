/**
 * A worker process for tests: `node --import tsx worker-main.ts '<json settings>'`. Prints one
 * JSON line per worker event on stdout (`ready`, `job-start`, `job-end`, `error`).
 */
import { createWorker } from '../index';
import { createStubAgentProvider } from './stub-agent-provider';
import type { WorkerProcessSettings } from './worker-settings';

const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessSettings;
const print = (type: string, fields: object) => process.stdout.write(`${JSON.stringify({ type, worker: settings.name, ...fields })}\n`);
const worker = await createWorker({
  connection: settings.redis,
  workdir: settings.workdir,
  name: settings.name,
  concurrency: settings.concurrency ?? 1,
  ...(settings.queue ? { queue: settings.queue } : {}),
  providers: { stub: createStubAgentProvider({ delayMs: settings.delayMs ?? 0, ...(settings.delays ? { delays: settings.delays } : {}) }) },
  // Short by default: the tests kill workers and want their attempts back soon. The benchmark passes the product's defaults.
  lockDurationMs: settings.lockDurationMs ?? 2000,
  stalledIntervalMs: settings.stalledIntervalMs ?? 1000,
});
worker.on('job-start', (event) => print('job-start', event));
worker.on('job-end', (event) => print('job-end', event));
worker.on('error', (event) => print('error', event));
print('ready', {});
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
