import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ConfigOverrides, type EventEnvelope, MemoryRunStore, createOrchestrator } from '@qoder-orch/core';
import { MockAgentProvider } from '@qoder-orch/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueExecutor, type QueueExecutor } from '@qoder-orch/distributed';
import { createProjectWithRemote, redisTestSuite, startWorkerProcess, type WorkerProcess } from '@qoder-orch/distributed/test';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER } from '@qoder-orch/core';
import { createClaudeCli, findClaudeExecutable } from '@qoder-orch/providers';
import { createFakeAnthropicServer, fakeClaudeCliSettings, reply } from '@qoder-orch/providers/test';
import { createWorker } from '@qoder-orch/distributed';
import { taskIdOf, workingDirectoryOf } from './fixtures/claude-orchestration';
import { holds } from './record-case';

const redis = redisTestSuite('the distributed integration tests');
const { missing, cleanups } = redis;
beforeAll(() => redis.setUp());
afterAll(() => redis.tearDown());

const met = JSON.stringify({ isMet: true, reasoning: 'ok' });
const planOf = (ids: string[]) => JSON.stringify({ tasks: ids.map((id) => ({ id, title: `Do ${id}`, agent: 'backend-dev', files: [`src/${id}.txt`] })) });

async function startWorkers(count: number, root: string, queue: string, delayMs: number): Promise<WorkerProcess[]> {
  const workers = await Promise.all(Array.from({ length: count }, (_, index) => startWorkerProcess({ redis: redis.url, workdir: join(root, `worker-${index + 1}`), name: `worker-${index + 1}`, delayMs, queue })));
  cleanups.push(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
  });
  return workers;
}

async function runDistributed(ids: string[], queue: string, { delayMs, during, config = {} }: { delayMs: number; during?: (workers: WorkerProcess[], executor: QueueExecutor) => Promise<void>; config?: ConfigOverrides }) {
  const project = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': '.qoder-orch/\n' });
  cleanups.push(project.cleanup);
  const workers = await startWorkers(3, project.root, queue, delayMs);
  const planner = new MockAgentProvider({ complete: (options) => (options.purpose === 'judge' ? met : planOf(ids)) });
  const executor = createQueueExecutor({ connection: redis.url, queue, remote: 'origin', provider: planner, providerName: 'stub' });
  cleanups.push(() => executor.close());
  const finished: Array<{ jobId: string; worker: string; isOk: boolean }> = [];
  executor.on('job-finished', (event) => finished.push(event));
  const orchestrator = createOrchestrator({
    projectDir: project.projectDir,
    provider: executor,
    runStore: new MemoryRunStore(),
    config: { ...config, execution: { maxParallel: ids.length, maxIterations: 1, testCommand: ['node', '-e', '0'], ...config.execution } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => events.push(event));
  const [summary] = await Promise.all([orchestrator.run('Build it'), during?.(workers, executor)]);
  return { project, workers, summary, events, finished };
}

describe.skipIf(missing !== undefined)('queue execution across worker processes (real redis-server, bare git remote)', () => {
  it('runs a plan across three workers, each task merged once, its agent events relayed', async () => {
    const ids = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    const { project, summary, events, finished } = await runDistributed(ids, 'plan-across', { delayMs: 400 });
    expect(summary.status).toBe('met');
    for (const id of ids) expect(await readFile(join(project.projectDir, 'src', `${id}.txt`), 'utf8')).toMatch(new RegExp(`^${id} by \\d+\\n$`));
    // Done on the workers, not here: the files name other processes.
    for (const id of ids) expect(await readFile(join(project.projectDir, 'src', `${id}.txt`), 'utf8')).not.toContain(`by ${process.pid}\n`);
    expect(
      finished
        .filter((event) => event.isOk)
        .map((event) => event.jobId.split('/')[1])
        .sort(),
    ).toEqual([...ids].sort());
    expect(new Set(finished.map((event) => event.worker)).size).toBeGreaterThanOrEqual(2);
    const merges = events.filter((event): event is EventEnvelope<'merge-end'> => event.type === 'merge-end');
    expect(merges.map((event) => event.taskId).sort()).toEqual([...ids].sort());
    // One merge commit per task on the user's branch.
    const merged = (await project.git(['log', '--merges', '--format=%s', 'main'])).split('\n');
    for (const id of ids) expect(merged.filter((subject) => subject === `Do ${id}`)).toHaveLength(1);
    // The worker's agent events arrive as the run's own task output.
    const relayed = events.filter((event): event is EventEnvelope<'task-output'> => event.type === 'task-output' && event.taskId === 'alpha');
    expect(relayed.map((event) => event.event)).toContainEqual({ type: 'text', text: expect.stringMatching(/^working on alpha in process \d+$/) });
  }, 240_000);

  it('a worker SIGKILLed mid-task: its lock expires, the attempt runs on another worker, nothing is merged twice', async () => {
    await holds('distributed', 'worker SIGKILLed mid-task', async () => {
      const ids = ['one', 'two', 'three'];
      let killed: { worker: string; taskId: string } | undefined;
      const { project, summary, events, finished, workers } = await runDistributed(ids, 'kill-worker', {
        delayMs: 3000,
        during: async (workers) => {
          const started = await Promise.any(workers.map((worker) => worker.waitFor((line) => line.type === 'job-start', 60_000).then((line) => ({ worker, line }))));
          started.worker.child.kill('SIGKILL');
          killed = { worker: started.worker.name, taskId: started.line.taskId ?? '' };
        },
      });
      expect(killed).toBeDefined();
      expect(summary.status).toBe('met');
      // The killed worker never finished it; another did, once.
      const victim = workers.find((worker) => worker.name === killed!.worker)!;
      expect(victim.lines.filter((line) => line.type === 'job-end')).toHaveLength(0);
      const done = finished.filter((event) => event.isOk && event.jobId.split('/')[1] === killed!.taskId);
      expect(done).toHaveLength(1);
      expect(done[0]!.worker).not.toBe(killed!.worker);
      const otherStarts = workers.filter((worker) => worker !== victim).flatMap((worker) => worker.lines.filter((line) => line.type === 'job-start' && line.taskId === killed!.taskId));
      expect(otherStarts).toHaveLength(1);
      const merges = events.filter((event): event is EventEnvelope<'merge-end'> => event.type === 'merge-end');
      expect(merges.map((event) => event.taskId).sort()).toEqual([...ids].sort());
      const merged = (await project.git(['log', '--merges', '--format=%s', 'main'])).split('\n');
      for (const id of ids) expect(merged.filter((subject) => subject === `Do ${id}`)).toHaveLength(1);
      let dataLost = 0;
      for (const id of ids) if (!/^\S+ by \d+\n$/.test(await readFile(join(project.projectDir, 'src', `${id}.txt`), 'utf8').catch(() => ''))) dataLost += 1;
      return { dataLost };
    });
  }, 240_000);
});

describe.skipIf(missing !== undefined || !findClaudeExecutable())('queue execution with the real claude on the worker (fake Anthropic server)', () => {
  it('a task planned and judged here, its agent the real claude binary on a worker in its own work folder: the file arrives by git and is merged', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': '.qoder-orch/\n' });
    cleanups.push(project.cleanup);
    const agentFolders: string[] = [];
    const server = await createFakeAnthropicServer({
      handler: (request) => {
        if (request.prompt.includes(PLAN_PROMPT_MARKER)) return reply.json({ tasks: [{ id: 'hello', title: 'Write hello', agent: 'backend-dev', files: ['src/hello.txt'] }] });
        if (request.prompt.includes(JUDGE_PROMPT_MARKER)) return reply.json({ isMet: true, reasoning: 'The file is there.' });
        const taskId = taskIdOf(request);
        if (!taskId) return reply.text('OK.');
        const cwd = workingDirectoryOf(request);
        if (request.turnIndex === 0) agentFolders.push(cwd);
        return request.turnIndex === 0 ? reply.write(join(cwd, 'src', `${taskId}.txt`), `${taskId} from claude\n`) : reply.text(`Wrote src/${taskId}.txt.`);
      },
    });
    cleanups.push(() => server.close());
    const claude = () => createClaudeCli({ ...fakeClaudeCliSettings(server, { apiTimeoutMs: 120_000 }), killGraceMs: 500 });
    const workdir = join(project.root, 'claude-worker');
    const worker = await createWorker({ connection: redis.url, queue: 'real-claude', workdir, providers: { claude: claude() } });
    cleanups.push(() => worker.close(true));
    const executor = createQueueExecutor({ connection: redis.url, queue: 'real-claude', remote: 'origin', provider: claude(), providerName: 'claude' });
    cleanups.push(() => executor.close());
    const orchestrator = createOrchestrator({ projectDir: project.projectDir, provider: executor, runStore: new MemoryRunStore(), config: { execution: { maxParallel: 2, maxIterations: 1, testCommand: ['node', '-e', '0'] } } });
    const summary = await orchestrator.run('Write hello');
    expect(summary.status, JSON.stringify(summary.error)).toBe('met');
    expect(await readFile(join(project.projectDir, 'src', 'hello.txt'), 'utf8')).toBe('hello from claude\n');
    // The agent worked in the worker's folder, not in the coordinator's worktree.
    expect(agentFolders).toHaveLength(1);
    expect(agentFolders[0]!.startsWith(workdir)).toBe(true);
    const merged = (await project.git(['log', '--merges', '--format=%s', 'main'])).split('\n');
    expect(merged.filter((subject) => subject === 'Write hello')).toHaveLength(1);
  }, 180_000);
});
