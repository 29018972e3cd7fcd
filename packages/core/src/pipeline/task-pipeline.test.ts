import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema, TaskSchema, createGitWorkspace, type Task } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider, type MockStep } from '../test/index';
import { TaskPipeline } from './task-pipeline';
import type { TaskPipelineEvents } from './pipeline-events';

// Real git and real check processes on a shared machine: generous limits, no timed assertions.
vi.setConfig({ testTimeout: 120_000 });

let repo: TemporaryRepository | undefined;
afterEach(async () => {
  if (repo) await rm(`${repo.root}-worktrees`, { recursive: true, force: true });
  await repo?.cleanup();
  repo = undefined;
});

const report = (file: string) => `Done.\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: `wrote ${file}`, filesChanged: [file] })}\n\`\`\``;
const task = (id: string, verify: string[][]): Task => TaskSchema.parse({ id, title: `Write ${id}`, agent: 'backend-dev', files: [`${id}.txt`], verify });

/** Every event the pipeline emits, in order, as [name, taskId]. */
function listen(pipeline: TaskPipeline) {
  const heard: Array<[keyof TaskPipelineEvents, string]> = [];
  const names: Array<keyof TaskPipelineEvents> = ['task-start', 'attempt', 'checkpoint', 'retry', 'rollback', 'rate-limit', 'spend', 'verify', 'merge', 'task-finish', 'warning'];
  for (const name of names) {
    pipeline.on(name, (...args: unknown[]) => {
      const event = args[0] as { taskId?: string; taskIds?: string[] };
      heard.push([name, event.taskId ?? event.taskIds?.join('+') ?? '']);
    });
  }
  return heard;
}

async function pipelineFor(runTask: Record<string, MockStep[]>) {
  repo = await createTemporaryRepository();
  const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree', worktreeRoot: `${repo.root}-worktrees`, linkDependencies: false });
  await workspace.begin({ runId: 'pipeline-test', isResume: false, allowDirty: false });
  const provider = new MockAgentProvider({ runTask });
  const pipeline = new TaskPipeline({
    provider,
    workspace,
    projectDir: repo.root,
    objective: 'Write the files',
    runId: 'pipeline-test',
    config: ConfigSchema.parse({ rollback: { autoRollbackOnFailure: true } }),
    retryPolicy: { maxAttempts: 2, backoffFactor: 2, initialDelayMs: 1, maxDelayMs: 2 },
    secretValues: ['hunter2-secret'],
  });
  return { pipeline, provider, workspace, repo };
}

describe('TaskPipeline', () => {
  it('retries a transient failure after rolling back, then verifies and merges, announcing each step', async () => {
    const { pipeline, provider, repo } = await pipelineFor({
      flaky: [
        { type: 'error', code: 'OVERLOADED', message: 'busy, token hunter2-secret', isRetryable: true },
        { type: 'success', files: { 'flaky.txt': 'ok\n' }, text: report('flaky.txt') },
      ],
    });
    const heard = listen(pipeline);
    const retries: TaskPipelineEvents['retry'][0][] = [];
    pipeline.on('retry', (event) => retries.push(event));
    const controller = new AbortController();

    const result = await pipeline.run(task('flaky', [['node', '-e', "require('fs').statSync('flaky.txt')"]]), { slot: 0, abortSignal: controller.signal });

    expect(result).toMatchObject({ taskId: 'flaky', status: 'completed', attempts: 2, slot: 0, filesChanged: ['flaky.txt'] });
    expect(result.verification).toEqual([expect.objectContaining({ phase: 'task', passed: true }), expect.objectContaining({ phase: 'merge', passed: true })]);
    expect((await repo.read('flaky.txt')).toString()).toBe('ok\n');
    expect(provider.calls.runTask).toHaveLength(2);
    // The second prompt says why the first attempt failed, without the secret.
    expect(provider.calls.runTask[1]!.prompt).toContain('Your previous attempt failed');
    expect(provider.calls.runTask[1]!.prompt).not.toContain('hunter2-secret');
    expect(retries).toEqual([expect.objectContaining({ taskId: 'flaky', attempt: 2, error: expect.objectContaining({ code: 'OVERLOADED' }) })]);
    expect(JSON.stringify(retries)).not.toContain('hunter2-secret');
    const names = heard.map(([name]) => name);
    expect(names[0]).toBe('task-start');
    expect(names.filter((name) => name === 'attempt')).toHaveLength(2);
    expect(names.indexOf('rollback')).toBeLessThan(names.indexOf('retry'));
    expect(names.indexOf('retry')).toBeLessThan(names.lastIndexOf('attempt'));
    expect(names).toContain('rate-limit');
    expect(names.slice(-3)).toEqual(['verify', 'merge', 'task-finish']);
  });

  it('rolls back a task whose checks fail though the agent claims success', async () => {
    const { pipeline, repo } = await pipelineFor({ broken: [{ type: 'success', files: { 'broken.txt': 'half done\n' }, text: report('broken.txt') }] });
    const heard = listen(pipeline);
    const finished: string[] = [];
    pipeline.on('task-finish', ({ result }) => finished.push(`${result.taskId}:${result.status}`));

    const result = await pipeline.run(task('broken', [['node', '-e', 'process.exit(3)']]), { slot: 1, abortSignal: new AbortController().signal });

    expect(result).toMatchObject({ status: 'failed', agentClaimedSuccess: true, error: expect.objectContaining({ code: 'VERIFICATION_FAILED' }) });
    expect(result.verification).toEqual([expect.objectContaining({ passed: false, exitCode: 3 })]);
    expect(finished).toEqual(['broken:failed']);
    const names = heard.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['verify', 'rollback']));
    expect(names).not.toContain('merge');
    expect(names.indexOf('verify')).toBeLessThan(names.indexOf('rollback'));
    // Nothing of its work reached the project.
    expect(await repo.files()).not.toHaveProperty('broken.txt');
  });

  it('is a Scheduler executor: outcomes for the scheduler, results as events', async () => {
    const { pipeline } = await pipelineFor({ one: [{ type: 'success', files: { 'one.txt': '1\n' }, text: report('one.txt') }] });
    const results: string[] = [];
    pipeline.on('task-finish', ({ result }) => results.push(`${result.taskId}:${result.status}`));
    expect(await pipeline.execute(task('one', []), { slot: 0, abortSignal: new AbortController().signal })).toBe('completed');
    expect(results).toEqual(['one:completed']);
  });
});
