import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MockAgentProvider } from '@qoder-orch/core/test';
import type { LLMProviderV1, RunTaskOptions } from '@qoder-orch/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueExecutor } from '../coordinator/queue-executor';
import { createProjectWithRemote } from '../test/project-fixture';
import { redisTestSuite } from '../test/redis-server';
import { createWorker } from './task-worker';

const redis = redisTestSuite("the task worker's integration tests");
const { missing, cleanups } = redis;
beforeAll(() => redis.setUp());
afterAll(() => redis.tearDown());

/** Resolves once `condition` holds, or with false after `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe.skipIf(missing !== undefined)('TaskWorker (real redis-server, bare git remote)', () => {
  it("starts the next attempt's agent while the finished one pushes, never more agents at once than its concurrency", async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    // The remote holds every push of a result branch until the test lets it go (a slow network, in effect).
    const release = join(project.root, 'release-pushes');
    const hook = join(project.remote, 'hooks', 'pre-receive');
    await writeFile(hook, `#!/bin/sh\nif grep -q ' refs/heads/qoder-orch/'; then\n  i=0\n  while [ ! -e '${release}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\nfi\nexit 0\n`);
    await chmod(hook, 0o755);
    let running = 0;
    let mostAtOnce = 0;
    const started: string[] = [];
    const provider: LLMProviderV1 = {
      specificationVersion: 'v1',
      providerId: 'agent',
      doComplete: () => Promise.reject(new Error('not used')),
      async doRunTask(options: RunTaskOptions) {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        started.push(options.taskId);
        await writeFile(join(options.cwd, `${options.taskId}.txt`), `${options.taskId}\n`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        running -= 1;
        return { summary: `wrote ${options.taskId}.txt`, usage: { inputTokens: 1, outputTokens: 1 }, durationMs: 100 };
      },
    };
    const worker = await createWorker({ connection: redis.url, queue: 'pipelined', workdir: join(project.root, 'worker'), providers: { agent: provider }, concurrency: 1, lockDurationMs: 5000, stalledIntervalMs: 2000 });
    cleanups.push(() => worker.close(true));
    const ended: string[] = [];
    worker.on('job-end', (event) => ended.push(event.taskId));
    const executor = createQueueExecutor({ connection: redis.url, queue: 'pipelined', remote: 'origin', provider: new MockAgentProvider(), providerName: 'agent' });
    cleanups.push(() => executor.close());
    const ids = ['one', 'two', 'three'];
    const cwds = [project.projectDir];
    for (const id of ids.slice(1)) {
      const cwd = join(project.root, id);
      await project.git(['worktree', 'add', '--detach', '--quiet', cwd, 'HEAD']);
      cwds.push(cwd);
    }
    const results = Promise.all(ids.map((taskId, index) => executor.doRunTask({ taskId, runId: 'run-1', attempt: 1, prompt: `Do ${taskId}`, cwd: cwds[index]! })));
    // The first attempt's push waits at the remote; its agent slot is free, so the second agent runs meanwhile.
    const isOverlapped = await eventually(() => started.length >= 2, 10_000);
    const endedMeanwhile = [...ended];
    await writeFile(release, '');
    await results;
    expect(isOverlapped).toBe(true);
    expect(endedMeanwhile).toEqual([]);
    expect(started).toHaveLength(3);
    expect(mostAtOnce).toBe(1);
    for (const [index, id] of ids.entries()) expect(await readFile(join(cwds[index]!, `${id}.txt`), 'utf8')).toBe(`${id}\n`);
  }, 60_000);

  it('closing waits for the attempts under way, their pushes included, and takes no new job', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const provider: LLMProviderV1 = {
      specificationVersion: 'v1',
      providerId: 'agent',
      doComplete: () => Promise.reject(new Error('not used')),
      async doRunTask(options: RunTaskOptions) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await writeFile(join(options.cwd, `${options.taskId}.txt`), 'x\n');
        return { summary: 'ok', usage: { inputTokens: 1, outputTokens: 1 }, durationMs: 300 };
      },
    };
    const worker = await createWorker({ connection: redis.url, queue: 'closing', workdir: join(project.root, 'worker'), providers: { agent: provider }, lockDurationMs: 5000, stalledIntervalMs: 2000 });
    const starts: string[] = [];
    worker.on('job-start', (event) => starts.push(event.taskId));
    const executor = createQueueExecutor({ connection: redis.url, queue: 'closing', remote: 'origin', provider: new MockAgentProvider(), providerName: 'agent' });
    cleanups.push(() => executor.close());
    const first = executor.doRunTask({ taskId: 'first', runId: 'run-2', attempt: 1, prompt: 'Do first', cwd: project.projectDir });
    expect(await eventually(() => starts.length === 1, 10_000)).toBe(true);
    await worker.close();
    // The attempt under way was answered before close returned: its branch is on the remote and its result arrives.
    expect((await project.git(['ls-remote', project.remote, 'refs/heads/qoder-orch/run-2/first/1'])).trim()).toMatch(/^[0-9a-f]{40}\s/);
    expect((await first).summary).toBe('ok');
    expect(existsSync(join(project.projectDir, 'first.txt'))).toBe(true);
    // A job added after the close is not taken.
    const secondCwd = join(project.root, 'second');
    await project.git(['worktree', 'add', '--detach', '--quiet', secondCwd, 'HEAD']);
    const controller = new AbortController();
    const second = executor.doRunTask({ taskId: 'second', runId: 'run-2', attempt: 1, prompt: 'Do second', cwd: secondCwd, abortSignal: controller.signal }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(starts).toEqual(['first']);
    controller.abort();
    expect(await second).toMatchObject({ code: 'ABORTED' });
  }, 60_000);
});
