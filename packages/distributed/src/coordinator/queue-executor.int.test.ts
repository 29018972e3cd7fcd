import { existsSync } from 'node:fs';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LLMProviderV1, ProviderError, type RunTaskOptions } from '@qoder-orch/spec';
import { MockAgentProvider } from '@qoder-orch/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type TaskWorker } from '../worker/task-worker';
import { createProjectWithRemote } from '../test/project-fixture';
import { redisTestSuite, startRedisServer } from '../test/redis-server';
import { createQueueExecutor, type QueueExecutor, type QueueExecutorOptions } from './queue-executor';
import { applyRemoteResult } from './publish-base';

const redis = redisTestSuite("the queue executor's integration tests");
const { missing, cleanups } = redis;
beforeAll(() => redis.setUp());
afterAll(() => redis.tearDown());

/** An agent in this process that does `work` in the task's worktree, counting its calls. */
function agent(work: (options: RunTaskOptions) => Promise<void>): LLMProviderV1 & { calls: number } {
  const provider = {
    specificationVersion: 'v1' as const,
    providerId: 'local-agent',
    calls: 0,
    doComplete: () => Promise.reject(new Error('not used')),
    async doRunTask(options: RunTaskOptions) {
      provider.calls += 1;
      await work(options);
      return { summary: 'done', usage: { inputTokens: 1, outputTokens: 1 }, durationMs: 1 };
    },
  };
  return provider;
}

async function setUp(queue: string, work: (options: RunTaskOptions) => Promise<void>) {
  const project = await createProjectWithRemote({ 'README.md': '# app\n', 'old.txt': 'old\n' });
  cleanups.push(project.cleanup);
  const provider = agent(work);
  const worker: TaskWorker = await createWorker({ connection: redis.url, queue, workdir: join(project.root, 'worker'), providers: { agent: provider }, lockDurationMs: 2000, stalledIntervalMs: 1000 });
  cleanups.push(() => worker.close(true));
  const executor = (onAbort?: 'cancel' | 'let-run', extra: Partial<QueueExecutorOptions> = {}): QueueExecutor => {
    const made = createQueueExecutor({ connection: redis.url, queue, remote: 'origin', provider: new MockAgentProvider(), providerName: 'agent', ...(onAbort ? { onAbort } : {}), ...extra });
    cleanups.push(() => made.close());
    return made;
  };
  return { project, provider, worker, executor };
}

const runOptions = (cwd: string, attempt = 1): RunTaskOptions => ({ taskId: 'api', runId: 'run-1', attempt, prompt: 'Do api', cwd });

describe.skipIf(missing !== undefined)('QueueExecutor with an in-process worker (real redis-server, bare git remote)', () => {
  it("brings the worker's commit back as staged changes on an unchanged HEAD: added, changed and deleted files", async () => {
    const { project, executor } = await setUp('apply', async ({ cwd }) => {
      await writeFile(join(cwd, 'api.txt'), 'api\n');
      await writeFile(join(cwd, 'README.md'), '# app, changed\n');
      await rm(join(cwd, 'old.txt'));
    });
    const head = (await project.git(['rev-parse', 'HEAD'])).trim();
    const coordinator = executor();
    const result = await coordinator.doRunTask(runOptions(project.projectDir));
    expect(result.summary).toBe('done');
    expect((await project.git(['rev-parse', 'HEAD'])).trim()).toBe(head);
    expect(await readFile(join(project.projectDir, 'api.txt'), 'utf8')).toBe('api\n');
    expect(await readFile(join(project.projectDir, 'README.md'), 'utf8')).toBe('# app, changed\n');
    expect(existsSync(join(project.projectDir, 'old.txt'))).toBe(false);
    expect((await project.git(['status', '--porcelain'])).split('\n').sort()).toEqual(['A  api.txt', 'D  old.txt', 'M  README.md']);
    // The branch the worker pushed, named for run, task and attempt, was fetched to a local ref (kept until the executor closes).
    expect((await project.git(['rev-parse', 'refs/qoder-orch/fetched/qoder-orch/run-1/api/1'])).trim()).toMatch(/^[0-9a-f]{40}$/);
    // The starting commit was published for the workers, and is taken off the remote when the executor closes.
    expect(await project.git(['ls-remote', 'origin', 'refs/qoder-orch/base/*'])).toContain(`refs/qoder-orch/base/run-1/${head}`);
    await coordinator.close();
    expect(await project.git(['ls-remote', 'origin', 'refs/qoder-orch/base/*'])).toBe('');
    // The result branch was deleted from the remote once brought back.
    expect(await project.git(['ls-remote', 'origin', 'refs/heads/qoder-orch/*'])).toBe('');
  }, 60_000);

  it('a worker whose push fails reports the attempt as failed with REMOTE_PUSH_FAILED, not a silent loss', async () => {
    let remote = '';
    const { project, executor } = await setUp('push-fails', async ({ cwd }) => {
      await writeFile(join(cwd, 'api.txt'), 'api\n');
      await rename(remote, `${remote}.gone`);
    });
    remote = project.remote;
    const error = await executor()
      .doRunTask(runOptions(project.projectDir))
      .catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'REMOTE_PUSH_FAILED', isRetryable: true });
    expect((error as Error).message).toContain('Could not push qoder-orch/run-1/api/1');
    expect(existsSync(join(project.projectDir, 'api.txt'))).toBe(false);
  }, 60_000);

  it('a push the remote refuses once with "cannot lock ref" (another push of the attempt raced it) is made again, and the result arrives', async () => {
    let remote = '';
    const { project, executor } = await setUp('push-races', async ({ cwd }) => {
      await writeFile(join(cwd, 'api.txt'), 'api\n');
      // The remote refuses the first push as git does when another update of the ref holds its lock.
      const hook = join(remote, 'hooks', 'pre-receive');
      await writeFile(hook, `#!/bin/sh\necho call >> "${remote}/pushes"\nif [ ! -f "${remote}/refused" ]; then touch "${remote}/refused"; echo "error: cannot lock ref 'refs/heads/x': reference already exists" >&2; exit 1; fi\n`);
      await chmod(hook, 0o755);
    });
    remote = project.remote;
    const result = await executor().doRunTask(runOptions(project.projectDir));
    expect(result.summary).toBe('done');
    expect(await readFile(join(project.projectDir, 'api.txt'), 'utf8')).toBe('api\n');
    expect((await readFile(join(remote, 'pushes'), 'utf8')).trim().split('\n')).toHaveLength(2);
  }, 60_000);

  it('a task aborted while a worker runs its attempt: the worker stops the agent and reports ABORTED', async () => {
    const { project, provider, worker, executor } = await setUp('cancel', async ({ abortSignal }) => {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 30_000);
        abortSignal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new ProviderError({ providerId: 'local-agent', code: 'ABORTED', message: 'stopped', isCanceled: true }));
        });
      });
    });
    const stop = new AbortController();
    const started = new Promise((resolve) => worker.once('job-start', resolve));
    const ended = new Promise<{ isOk: boolean; code?: string }>((resolve) => worker.once('job-end', resolve));
    const stopped = executor()
      .doRunTask({ ...runOptions(project.projectDir), abortSignal: stop.signal })
      .catch((caught: unknown) => caught);
    await started;
    stop.abort(new Error('the task was cancelled'));
    expect(await stopped).toMatchObject({ code: 'ABORTED' });
    // Well before the agent's 30 s: the worker was told.
    expect(await ended).toMatchObject({ isOk: false, code: 'ABORTED' });
    expect(provider.calls).toBe(1);
  }, 60_000);

  it('a coordinator stopped while its attempt ran, with onAbort let-run: the attempt goes on, and the resumed coordinator collects it instead of running it again', async () => {
    const { project, provider, worker, executor } = await setUp('collect', async ({ cwd }) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await writeFile(join(cwd, 'api.txt'), 'api\n');
    });
    const first = executor('let-run');
    const stop = new AbortController();
    const started = new Promise((resolve) => worker.once('job-start', resolve));
    const ended = new Promise((resolve) => worker.once('job-end', resolve));
    const stopped = first.doRunTask({ ...runOptions(project.projectDir), abortSignal: stop.signal }).catch((caught: unknown) => caught);
    await started;
    stop.abort(new Error('Ctrl-C'));
    expect(await stopped).toMatchObject({ code: 'ABORTED' });
    await ended;
    expect(existsSync(join(project.projectDir, 'api.txt'))).toBe(false);
    const second = executor();
    const seen: Array<{ isExisting: boolean }> = [];
    second.on('job-queued', (event) => seen.push(event));
    const result = await second.doRunTask(runOptions(project.projectDir));
    expect(result.summary).toBe('done');
    expect(seen).toEqual([expect.objectContaining({ isExisting: true })]);
    expect(provider.calls).toBe(1);
    expect(await readFile(join(project.projectDir, 'api.txt'), 'utf8')).toBe('api\n');
  }, 60_000);

  /** A coordinator stopped (let-run) while its attempt ran; the attempt finishes on the worker meanwhile. */
  async function leftRunning(setUpResult: Awaited<ReturnType<typeof setUp>>): Promise<void> {
    const { project, worker, executor } = setUpResult;
    const stop = new AbortController();
    const started = new Promise((resolve) => worker.once('job-start', resolve));
    const ended = new Promise((resolve) => worker.once('job-end', resolve));
    const stopped = executor('let-run')
      .doRunTask({ ...runOptions(project.projectDir), abortSignal: stop.signal })
      .catch((caught: unknown) => caught);
    await started;
    stop.abort(new Error('Ctrl-C'));
    expect(await stopped).toMatchObject({ code: 'ABORTED' });
    await ended;
  }

  it('a resumed coordinator collects an attempt that finished while the integration branch moved on: merged three-way into the new base, not run again', async () => {
    const set = await setUp('collect-moved', async ({ cwd }) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await writeFile(join(cwd, 'api.txt'), 'api\n');
      await writeFile(join(cwd, 'README.md'), '# app\n\napi\n');
    });
    const { project, provider, executor } = set;
    await leftRunning(set);
    // Another task merged meanwhile: the resumed run prepares this task's worktree from a newer commit.
    await writeFile(join(project.projectDir, 'web.txt'), 'web\n');
    await writeFile(join(project.projectDir, 'old.txt'), 'old, changed by web\n');
    await project.git(['add', '-A']);
    await project.git(['commit', '--quiet', '-m', 'web']);
    const second = executor();
    const seen: Array<{ isExisting: boolean }> = [];
    second.on('job-queued', (event) => seen.push(event));
    const result = await second.doRunTask(runOptions(project.projectDir));
    expect(result.summary).toBe('done');
    expect(seen).toEqual([expect.objectContaining({ isExisting: true })]);
    expect(provider.calls).toBe(1);
    expect(await readFile(join(project.projectDir, 'api.txt'), 'utf8')).toBe('api\n');
    expect(await readFile(join(project.projectDir, 'old.txt'), 'utf8')).toBe('old, changed by web\n');
    expect((await project.git(['status', '--porcelain'])).split('\n').sort()).toEqual(['A  api.txt', 'M  README.md']);
  }, 60_000);

  it('a finished attempt from before whose changes conflict with the moved base runs again on the new base', async () => {
    const set = await setUp('collect-conflict', async ({ cwd }) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await writeFile(join(cwd, 'old.txt'), 'changed by api\n');
    });
    const { project, provider, executor } = set;
    await leftRunning(set);
    await writeFile(join(project.projectDir, 'old.txt'), 'changed by web\n');
    await project.git(['commit', '--quiet', '-am', 'web']);
    const second = executor();
    const seen: Array<{ isExisting: boolean }> = [];
    second.on('job-queued', (event) => seen.push(event));
    await second.doRunTask(runOptions(project.projectDir));
    expect(seen.map((event) => event.isExisting)).toEqual([true, false]);
    expect(provider.calls).toBe(2);
    expect(await readFile(join(project.projectDir, 'old.txt'), 'utf8')).toBe('changed by api\n');
    expect(await project.git(['status', '--porcelain'])).toBe('M  old.txt');
  }, 60_000);

  it("a closing coordinator deletes what killed coordinators of its run left on the remote, but keeps a result never brought back and other runs' refs", async () => {
    const set = await setUp('leftovers', async ({ cwd, taskId }) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await writeFile(join(cwd, `${taskId}.txt`), `${taskId}\n`);
    });
    const { project, executor } = set;
    const resultBranches = async () =>
      (await project.git(['ls-remote', 'origin', 'refs/heads/qoder-orch/*']))
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[1])
        .sort();
    // A coordinator stopped while 'api' ran (let-run): its result finishes on the remote, never brought back.
    await leftRunning(set);
    // One that brought 'web' back and was killed before it closed (nothing deleted); the result was merged.
    await executor().doRunTask({ ...runOptions(project.projectDir), taskId: 'web' });
    await project.git(['add', '-A']);
    await project.git(['commit', '--quiet', '-m', 'web']);
    // A result branch whose job is gone, and another run's branch.
    await project.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/qoder-orch/run-1/db/1', 'HEAD:refs/heads/qoder-orch/run-2/x/1']);
    expect(await resultBranches()).toEqual(['refs/heads/qoder-orch/run-1/api/1', 'refs/heads/qoder-orch/run-1/db/1', 'refs/heads/qoder-orch/run-1/web/1', 'refs/heads/qoder-orch/run-2/x/1']);
    expect((await project.git(['ls-remote', 'origin', 'refs/qoder-orch/base/run-1/*'])).split('\n')).toHaveLength(1);
    const resumed = executor();
    await resumed.doRunTask({ ...runOptions(project.projectDir), taskId: 'docs' });
    await resumed.close();
    expect(await resultBranches()).toEqual(['refs/heads/qoder-orch/run-1/api/1', 'refs/heads/qoder-orch/run-2/x/1']);
    expect(await project.git(['ls-remote', 'origin', 'refs/qoder-orch/base/*'])).toBe('');
  }, 60_000);

  it('refuses a reported commit that is not the pushed branch or does not build on the base (REMOTE_RESULT_INVALID)', async () => {
    const { project, executor } = await setUp('tamper', async ({ cwd }) => {
      await writeFile(join(cwd, 'api.txt'), 'api\n');
    });
    // The worker's branch stays on the remote to be tampered with.
    await executor(undefined, { keepResultBranches: true }).doRunTask(runOptions(project.projectDir));
    const base = (await project.git(['rev-parse', 'HEAD'])).trim();
    const apply = (commit: string) => applyRemoteResult({ cwd: project.projectDir, remote: 'origin', branch: 'qoder-orch/run-1/api/1', base, commit }).catch((caught: unknown) => caught);
    expect(await apply(base)).toMatchObject({ code: 'REMOTE_RESULT_INVALID', message: expect.stringContaining('not at the commit the worker reported') });
    const tip = (await project.git(['ls-remote', 'origin', 'refs/heads/qoder-orch/run-1/api/1'])).split('\t')[0]!;
    await project.git(['reset', '--hard', '--quiet']);
    await project.git(['commit', '--allow-empty', '--quiet', '-m', 'moved on']);
    const other = (await project.git(['rev-parse', 'HEAD'])).trim();
    const unrelated = await applyRemoteResult({ cwd: project.projectDir, remote: 'origin', branch: 'qoder-orch/run-1/api/1', base: other, commit: tip }).catch((caught: unknown) => caught);
    expect(unrelated).toMatchObject({ code: 'REMOTE_RESULT_INVALID', message: expect.stringContaining('does not build on') });
  }, 60_000);

  it('Redis stopped while an attempt waits: the wait fails with QUEUE_UNAVAILABLE after the grace period instead of hanging', async () => {
    const own = await startRedisServer();
    cleanups.push(() => own.stop());
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const worker = await createWorker({ connection: own.url, queue: 'lost', workdir: join(project.root, 'worker'), providers: { agent: agent(() => new Promise((resolve) => setTimeout(resolve, 20_000))) } });
    // Its connection is gone with the server: closing it must not wait for a Redis that will not come back.
    cleanups.push(() => Promise.race([worker.close(true), new Promise((resolve) => setTimeout(resolve, 2000))]));
    const executor = createQueueExecutor({ connection: own.url, queue: 'lost', remote: 'origin', provider: new MockAgentProvider(), providerName: 'agent', connectionLossMs: 1500 });
    cleanups.push(() => Promise.race([executor.close(), new Promise((resolve) => setTimeout(resolve, 2000))]));
    const started = new Promise((resolve) => worker.once('job-start', resolve));
    const waiting = executor.doRunTask(runOptions(project.projectDir)).catch((caught: unknown) => caught);
    await started;
    const stoppedAt = Date.now();
    await own.stop();
    const error = await waiting;
    expect(error).toMatchObject({ code: 'QUEUE_UNAVAILABLE', message: expect.stringContaining('Redis has not answered for') });
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  }, 60_000);
});
