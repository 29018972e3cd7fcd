import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@qoder-orch/cli';
import { createProjectWithRemote, MONOREPO_ROOT, redisServerMissing, startRedisServer, startWorkerProcess, type TestRedisServer, type WorkerProcess } from '@qoder-orch/distributed/test';
import { afterAll, describe, expect, it } from 'vitest';
import { createScriptedPlanner } from '../packages/distributed/src/test/scripted-planner';
import { holds } from './record-case';

/**
 * Faults of queue execution through the CLI: a real `redis-server`, a bare git remote, worker
 * processes standing in for other machines (the stub agent), the coordinator as
 * `qoder-orchestrate` — in this process (runCli) or in its own (SIGKILLed).
 */
const BIN = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const PLANNER = fileURLToPath(new URL('../packages/distributed/src/test/scripted-planner.ts', import.meta.url));
const missing = redisServerMissing();
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse())
    await Promise.resolve()
      .then(cleanup)
      .catch(() => undefined);
});

const CONFIG = 'execution:\n  test_command: ["node", "-e", "0"]\nvalidation:\n  command_policy:\n    allow: ["node -e 0"]\n';

interface JsonEvent {
  type: string;
  runId?: string;
  taskId?: string;
  result?: { status: string };
  summary?: { status: string; error?: { code: string }; tasks: { completed: number } };
}
const eventsOf = (text: string): JsonEvent[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonEvent);

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function project() {
  const created = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': '.qoder-orch/\n', '.qoder-orchestrate.yaml': CONFIG });
  cleanups.push(created.cleanup);
  return created;
}

async function workers(count: number, root: string, redis: string, queue: string, delay: { delayMs: number; delays?: Record<string, number> }, prefix = 'worker'): Promise<WorkerProcess[]> {
  const started = await Promise.all(Array.from({ length: count }, (_, index) => startWorkerProcess({ redis, workdir: join(root, `${prefix}-${index + 1}`), name: `${prefix}-${index + 1}`, queue, ...delay })));
  cleanups.push(() => Promise.all(started.map((worker) => worker.stop())));
  return started;
}

const startsOf = (pool: WorkerProcess[]) => pool.flatMap((worker) => worker.lines.filter((line) => line.type === 'job-start'));

/** Every task's file written by a worker and merged once: what is missing or doubled counts as lost. */
async function lostWork(created: Awaited<ReturnType<typeof project>>, ids: string[]): Promise<number> {
  const merged = (await created.git(['log', '--merges', '--format=%s', 'main'])).split('\n');
  let lost = 0;
  for (const id of ids) {
    const file = join(created.projectDir, 'src', `${id}.txt`);
    if (!existsSync(file) || !/^\S+ by \d+\n$/.test(readFileSync(file, 'utf8'))) lost += 1;
    if (merged.filter((subject) => subject === `Do ${id}`).length !== 1) lost += 1;
  }
  return lost;
}

describe.skipIf(missing !== undefined)('queue execution faults through the CLI (real redis-server, worker processes)', () => {
  it('Redis stopped mid-run: the run stops as cancelled (exit 130, QUEUE_UNAVAILABLE), nothing failed; --resume with Redis back on the same port completes it without rerunning a finished task', async () => {
    await holds('distributed', 'Redis stopped mid-run, then --resume', async () => {
      let redis: TestRedisServer = await startRedisServer();
      cleanups.push(() => redis.stop());
      const created = await project();
      // `quick` finishes at once; the others are still on the workers when Redis goes. A worker per
      // task: whichever order the attempts reach the queue in, `quick` never waits behind a slow one.
      const ids = ['quick', 'slow', 'later'];
      const first = await workers(3, created.root, redis.url, 'redis-lost', { delayMs: 120_000, delays: { quick: 200 } });
      const args = ['--redis', redis.url, '--queue', 'redis-lost', '--remote', 'origin', '--project-dir', created.projectDir, '--max-parallel', '3', '--max-iterations', '1', '--json'];
      const overrides = { queue: { connectionLossSeconds: 1.5 } };
      const io = { stdout: capture(), stderr: capture(), env: {}, cwd: created.projectDir };
      const run = runCli(['Build it', ...args], io, { provider: createScriptedPlanner(ids), overrides });
      await until(() => eventsOf(io.stdout.text()).some((event) => event.type === 'task-end' && event.result?.status === 'completed'), 90_000, 'a completed task');
      await redis.stop();
      expect(await run, io.stderr.text()).toBe(130);
      const events = eventsOf(io.stdout.text());
      const runId = events.find((event) => event.type === 'run-start')!.runId!;
      expect(events.find((event) => event.type === 'run-end')?.summary).toMatchObject({ status: 'cancelled', error: { code: 'QUEUE_UNAVAILABLE' } });
      const ended = events.filter((event) => event.type === 'task-end');
      // Stopped, not failed: the unfinished attempts are cancelled and go back to pending on resume.
      expect(ended.filter((event) => event.result?.status === 'failed')).toEqual([]);
      expect(ended.filter((event) => event.result?.status === 'completed').map((event) => event.taskId)).toEqual(['quick']);
      expect(ended.filter((event) => event.result?.status === 'cancelled').length).toBeGreaterThan(0);
      // Those workers are stuck in 2-minute attempts of the lost queue; fresh ones take the resumed run.
      await Promise.all(first.map((worker) => worker.stop()));

      redis = await startRedisServer({ port: redis.port });
      const second = await workers(2, created.root, redis.url, 'redis-lost', { delayMs: 200 }, 'resumed');
      const again = { stdout: capture(), stderr: capture(), env: {}, cwd: created.projectDir };
      expect(await runCli(['--resume', runId, ...args], again, { provider: createScriptedPlanner(ids), overrides }), again.stderr.text()).toBe(0);
      expect(eventsOf(again.stdout.text()).find((event) => event.type === 'run-end')?.summary).toMatchObject({ status: 'met', tasks: { completed: 3 } });
      // The unfinished ones ran again; the finished one did not.
      expect(
        startsOf(second)
          .map((line) => line.taskId)
          .sort(),
      ).toEqual(['later', 'slow']);
      return { dataLost: await lostWork(created, ids) };
    });
  }, 180_000);

  it('the coordinator SIGKILLed while workers run its attempts: --resume collects their finished work from the queue, no agent runs twice, nothing is merged twice', async () => {
    await holds('distributed', 'coordinator SIGKILLed, workers finish, --resume collects', async () => {
      const redis = await startRedisServer();
      cleanups.push(() => redis.stop());
      const created = await project();
      const ids = ['red', 'green', 'blue'];
      const pool = await workers(3, created.root, redis.url, 'coordinator-kill', { delayMs: 2500 });
      const args = ['--redis', redis.url, '--queue', 'coordinator-kill', '--remote', 'origin', '--project-dir', created.projectDir, '--max-parallel', '3', '--max-iterations', '1', '--json'];
      const coordinator = startCoordinator(['Build it', ...args, '--llm-provider', PLANNER], ids);
      // Every attempt is on a worker: the coordinator dies.
      await until(() => startsOf(pool).length === ids.length, 90_000, 'every attempt started on a worker');
      coordinator.child.kill('SIGKILL');
      const killed = await coordinator.done;
      expect(killed.signal).toBe('SIGKILL');
      const runId = eventsOf(killed.stdout).find((event) => event.type === 'run-start')!.runId!;
      // The workers finish and push without it.
      await until(() => pool.flatMap((worker) => worker.lines.filter((line) => line.type === 'job-end' && line.isOk)).length === ids.length, 60_000, 'every attempt finished');
      expect(existsSync(join(created.projectDir, 'src', 'red.txt'))).toBe(false);

      const io = { stdout: capture(), stderr: capture(), env: {}, cwd: created.projectDir };
      expect(await runCli(['--resume', runId, ...args], io, { provider: createScriptedPlanner(ids) }), io.stderr.text()).toBe(0);
      expect(eventsOf(io.stdout.text()).find((event) => event.type === 'run-end')?.summary).toMatchObject({ status: 'met', tasks: { completed: ids.length } });
      // Collected, not rerun: one agent run per task across all workers.
      expect(
        startsOf(pool)
          .map((line) => line.taskId)
          .sort(),
      ).toEqual([...ids].sort());
      return { dataLost: await lostWork(created, ids) };
    });
  }, 180_000);
});

function capture() {
  const chunks: string[] = [];
  return {
    write: (text: string) => {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
  };
}

/** `qoder-orchestrate` in a process of its own, planning `taskIds` (the scripted planner). */
function startCoordinator(args: string[], taskIds: string[]): { child: ChildProcess; done: Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: MONOREPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      XDG_CACHE_HOME: process.env['XDG_CACHE_HOME'] ?? '',
      QODER_ORCH_TEST_TASKS: taskIds.join(','),
      QODER_ORCH_SEMANTIC_SEARCH: 'false',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, done: new Promise((resolve) => child.on('close', (_code, signal) => resolve({ signal, stdout, stderr }))) };
}
