import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createQueueExecutor } from '@qoder-orch/distributed';
import { createProjectWithRemote, redisServerMissing, startRedisServer, startWorkerProcess, type WorkerProcess } from '@qoder-orch/distributed/test';
import { MockAgentProvider } from '@qoder-orch/core/test';
import { type Benchmark, fixed, median, table } from '../harness';

/** This process's CPU seconds, its waited-for children (git) included (Linux /proc). */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // utime, stime, cutime, cstime are fields 14-17 of the whole line: 12-15 after "pid (comm) ".
  return [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0) / 100;
}

/**
 * Queue execution end to end at the executor: N attempts submitted at once from N task
 * worktrees, each run by a stub agent of fixed duration on W worker processes (each worker: a
 * mirror fetch, a worktree, the stub, a commit and a push), each result fetched and read back
 * into its worktree. Throughput against the ideal N × duration / W, and the coordinator's CPU
 * per task (its git subprocesses included).
 */
export const distributed: Benchmark = {
  name: 'distributed',
  description: 'Queue execution: stub tasks of fixed duration on 1/2/4/8 worker processes against the ideal, and coordinator CPU per task.',
  async run({ isQuick, log }) {
    const missing = redisServerMissing();
    if (missing) {
      log(`skipped: ${missing}`);
      return;
    }
    const tasks = isQuick ? 12 : 200;
    const durationMs = isQuick ? 1000 : 2000;
    const workerCounts = isQuick ? [1, 2, 4] : [1, 2, 4, 8];
    log(`${tasks} tasks × ${durationMs} ms stub on ${workerCounts.join('/')} worker processes (concurrency 1 each), real redis-server and a bare git remote on this machine.`);
    log('Ideal = tasks × duration / workers. Target: ≥ 0.8 of ideal at 8 workers. Workers and coordinator share this machine’s cores, so git work competes with them.');
    const redis = await startRedisServer();
    const project = await createProjectWithRemote({ 'README.md': '# bench\n' });
    const workers: WorkerProcess[] = [];
    const rows: string[][] = [];
    try {
      const cwds: string[] = [];
      for (let index = 0; index < tasks; index += 1) {
        const cwd = join(project.root, 'tasks', `t${index}`);
        await project.git(['worktree', 'add', '--detach', '--quiet', cwd, 'HEAD']);
        cwds.push(cwd);
      }
      for (const count of workerCounts) {
        while (workers.length < count) workers.push(await startWorkerProcess({ redis: redis.url, workdir: join(project.root, `worker-${workers.length}`), name: `w${workers.length}`, delayMs: durationMs, queue: 'bench' }));
        const executor = createQueueExecutor({ connection: redis.url, queue: 'bench', remote: 'origin', provider: new MockAgentProvider(), providerName: 'stub' });
        for (const cwd of cwds) {
          await project.git(['reset', '--hard', '--quiet'], cwd);
          await project.git(['clean', '-fdq'], cwd);
        }
        const queuedAt = new Map<string, number>();
        const finishedAt = new Map<string, number>();
        executor.on('job-queued', ({ taskId }) => queuedAt.set(taskId, Date.now()));
        executor.on('job-finished', ({ taskId }) => finishedAt.set(taskId, Date.now()));
        const phases = { before: [] as number[], queue: [] as number[], after: [] as number[] };
        const cpuBefore = cpuSeconds();
        const startedAt = Date.now();
        await Promise.all(
          cwds.map(async (cwd, index) => {
            const taskId = `t${index}`;
            await executor.doRunTask({ taskId, runId: `bench-${count}`, attempt: 1, prompt: 'stub', cwd });
            phases.before.push(queuedAt.get(taskId)! - startedAt);
            phases.queue.push(finishedAt.get(taskId)! - queuedAt.get(taskId)!);
            phases.after.push(Date.now() - finishedAt.get(taskId)!);
          }),
        );
        const wallMs = Date.now() - startedAt;
        const cpuMs = (cpuSeconds() - cpuBefore) * 1000;
        await executor.close();
        const idealMs = (tasks * durationMs) / count;
        rows.push([String(count), fixed(wallMs / 1000, 1), fixed(idealMs / 1000, 1), fixed(idealMs / wallMs), fixed(cpuMs / tasks, 0), fixed(median(phases.before), 0), fixed(median(phases.after), 0)]);
        log(`  ${count} worker(s): ${fixed(wallMs / 1000, 1)} s (ideal ${fixed(idealMs / 1000, 1)} s)`);
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await redis.stop();
      await project.cleanup();
    }
    log('');
    log(table(['workers', 'wall s', 'ideal s', 'of ideal', 'coordinator CPU ms/task', 'publish ms (median)', 'fetch+apply ms (median)'], rows));
  },
};
