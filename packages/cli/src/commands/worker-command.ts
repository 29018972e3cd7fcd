import { resolve } from 'node:path';
import { checkRedis, createWorker, describeConnection, redisOptionsOf } from '@qoder-orch/distributed';
import { createProvider } from '@qoder-orch/providers';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';

export interface WorkerCommand {
  redis: string;
  workdir: string;
  concurrency: number;
  queue?: string;
  /** Runs every attempt with this provider instead of the one each job names. */
  provider?: string;
  isJson: boolean;
}

/**
 * `qoder-orchestrate worker`: checks that Redis answers, then takes task attempts from the queue
 * until Ctrl-C / SIGTERM (running attempts finish first). One line per attempt started and
 * ended (JSON with --json). Agent credentials come from this machine's environment.
 */
export async function workerCommand(command: WorkerCommand, io: CliIo): Promise<ExitCode> {
  const cwd = io.cwd ?? process.cwd();
  await checkRedis(command.redis);
  const worker = await createWorker({
    connection: command.redis,
    workdir: resolve(cwd, command.workdir),
    concurrency: command.concurrency,
    ...(command.queue ? { queue: command.queue } : {}),
    providers: (name) => createProvider(command.provider ?? name, {}, { cwd }),
  });
  const print = (type: string, fields: Record<string, unknown>, text: string) => {
    if (command.isJson) io.stdout.write(`${JSON.stringify({ type, worker: worker.name, timestamp: new Date().toISOString(), ...fields })}\n`);
    else io.stdout.write(`${text}\n`);
  };
  worker.on('job-start', (event) => print('job-start', event, `▶ ${event.jobId}`));
  worker.on('job-end', (event) => print('job-end', event, `${event.isOk ? '✓' : '✗'} ${event.jobId}${event.commit ? ` ${event.commit.slice(0, 12)}` : ''}${event.code ? ` ${event.code}` : ''}`));
  worker.on('error', (event) => io.stderr.write(`! ${event.message}\n`));
  print('worker-ready', { concurrency: command.concurrency }, `Worker ${worker.name} takes tasks from ${describeConnection(redisOptionsOf(command.redis))} (${command.concurrency} at once). Ctrl-C stops it.`);
  await new Promise<void>((done) => {
    if (!io.abortSignal) return;
    if (io.abortSignal.aborted) done();
    io.abortSignal.addEventListener('abort', () => done(), { once: true });
  });
  await worker.close();
  print('worker-stopped', {}, 'Worker stopped.');
  return EXIT_CODES.met;
}
