import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigOverrides, type EventEnvelope, MemoryRunStore, WorktreeManager, createOrchestrator } from '../index';
import { createIntegrationRegistry } from '@qoder-orch/contracts';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider, type MockAgentProviderSettings } from '../test/index';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

type TaskSpec = { id: string; agent?: string; dependsOn?: string[]; files?: string[]; verify?: string[][]; estimateMinutes?: number };
const plan = (tasks: TaskSpec[]) => JSON.stringify({ tasks: tasks.map((task) => ({ title: `Do ${task.id}`, agent: 'backend-dev', ...task })) });
const met = JSON.stringify({ isMet: true, reasoning: 'ok' });

async function runInRepository(tasks: TaskSpec[], runTask: NonNullable<MockAgentProviderSettings['runTask']>, config: ConfigOverrides = {}, judge = [met], prepare?: (repository: TemporaryRepository) => Promise<unknown>) {
  const repository = await createTemporaryRepository({ 'README.md': '# app\n', 'src/shared.txt': 'line 1\nline 2\nline 3\n' });
  repositories.push(repository);
  await prepare?.(repository);
  let judgeIndex = 0;
  const provider = new MockAgentProvider({ complete: (options) => (options.purpose === 'judge' ? judge[Math.min(judgeIndex++, judge.length - 1)]! : plan(tasks)), runTask });
  const orchestrator = createOrchestrator({
    projectDir: repository.root,
    provider,
    runStore: new MemoryRunStore(),
    random: () => 0.5,
    // The checks are inline `node -e` scripts, which the command policy refuses unless allowed.
    config: {
      retry: { initialDelayMs: 1, maxDelayMs: 2 },
      validation: { commandPolicy: { mode: 'refuse', allow: ['node -e **'] } },
      ...config,
      execution: { maxParallel: 2, maxIterations: 1, testCommand: ['node', '-e', '0'], ...config.execution },
    },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => events.push(event));
  const summary = await orchestrator.run('Build it');
  const log = (await repository.git(['log', '--format=%s', 'main'])).trim().split('\n');
  return { repository, summary, events, provider, log };
}

describe('Orchestrator on a real git repository', () => {
  it('commits no secret: task titles (commit messages), specs/plan.json and the registry are redacted by value, quotes and backslashes included', async () => {
    const secret = 'tok-"quoted\\back-ü✓-91ab';
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    process.env['QODER_PERSONAL_ACCESS_TOKEN'] = secret;
    try {
      const provider = new MockAgentProvider({
        complete: (options) =>
          options.purpose === 'judge' ? met : JSON.stringify({ summary: `uses ${secret}`, tasks: [{ id: 'api', title: `Do api with ${secret}`, description: JSON.stringify({ secret }), agent: 'backend-dev', files: ['src/api.txt'] }] }),
        runTask: () => ({
          type: 'success',
          files: { 'src/api.txt': 'api\n' },
          text: `done with ${secret}`,
          structuredOutput: { status: 'success', summary: `used ${secret}`, interfaces: [{ name: `Api ${secret}`, kind: 'model', fields: [`token: ${secret}`] }] },
        }),
      });
      const registry = createIntegrationRegistry({ projectDir: repository.root });
      const events: EventEnvelope[] = [];
      const orchestrator = createOrchestrator({ projectDir: repository.root, provider, registry, runStore: new MemoryRunStore(), config: { execution: { maxIterations: 1, testCommand: ['node', '-e', '0'] } } });
      orchestrator.on('event', (event) => events.push(event));
      const summary = await orchestrator.run('Build it');
      expect(summary.status).toBe('met');
      const history = await repository.git(['log', '--all', '-p', '--format=%H %s%n%b']);
      const specs = (await readFile(join(repository.root, 'specs/plan.json'), 'utf8')) + (await readFile(join(repository.root, 'specs/integration_registry.json'), 'utf8'));
      const everything = `${history}${specs}${JSON.stringify(events)}${JSON.stringify(summary)}`;
      for (const form of [secret, JSON.stringify(secret).slice(1, -1)]) expect(everything).not.toContain(form);
      expect(history).toContain('Do api with [REDACTED]');
      expect(specs).toContain('"name": "Api [REDACTED]"');
    } finally {
      delete process.env['QODER_PERSONAL_ACCESS_TOKEN'];
    }
  });

  it('says so when an agent writes a secret into a project file (its work is committed as written)', async () => {
    process.env['QODER_PERSONAL_ACCESS_TOKEN'] = 'tok-"agent\\wrote-ü-77c1';
    try {
      const { events, summary } = await runInRepository(
        [
          { id: 'api', files: ['src/*.txt'] },
          { id: 'web', files: ['web/*.txt'] },
        ],
        (options) =>
          options.taskId === 'api'
            ? { type: 'success', files: { 'src/api.txt': 'api\n', 'src/config.txt': `token = ${JSON.stringify(process.env['QODER_PERSONAL_ACCESS_TOKEN'])}\n` } }
            : { type: 'success', files: { 'web/web.txt': 'web\n' } },
      );
      expect(summary.status).toBe('met');
      const warnings = events.filter((event): event is EventEnvelope<'warning'> => event.type === 'warning' && event.code === 'SECRET_IN_CHANGES');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain('Task api wrote a secret value into src/config.txt');
    } finally {
      delete process.env['QODER_PERSONAL_ACCESS_TOKEN'];
    }
  });

  it("runs parallel tasks in their own worktrees and lands each with its own commit on the user's branch", async () => {
    const { repository, summary, events, log } = await runInRepository(
      [
        { id: 'api', files: ['src/api.txt'] },
        { id: 'web', files: ['src/web.txt'] },
      ],
      (options) => ({ type: 'success', delayMs: 20, files: { [`src/${options.taskId}.txt`]: `${options.taskId} in ${options.cwd === repositories.at(-1)!.root ? 'main tree' : 'worktree'}\n` } }),
    );
    expect(summary.status).toBe('met');
    expect(await readFile(join(repository.root, 'src/api.txt'), 'utf8')).toBe('api in worktree\n');
    expect(await readFile(join(repository.root, 'src/web.txt'), 'utf8')).toBe('web in worktree\n');
    const starts = events.filter((event): event is EventEnvelope<'task-start'> => event.type === 'task-start');
    expect(new Set(starts.map((event) => event.cwd)).size).toBe(2);
    expect(starts.every((event) => event.cwd.startsWith(`${new WorktreeManager({ projectDir: repository.root }).directory}/`))).toBe(true);
    expect(events.filter((event) => event.type === 'checkpoint-end')).toHaveLength(2);
    const merges = events.filter((event): event is EventEnvelope<'merge-end'> => event.type === 'merge-end');
    expect(merges.map((event) => event.hasConflict)).toEqual([false, false]);
    for (const result of summary.results) expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    // Each task: its own commit on its branch, merged into main with a merge commit of its own.
    expect(log.filter((subject) => subject.startsWith('Do ')).sort()).toEqual(['Do api', 'Do api', 'Do web', 'Do web']);
    expect((await repository.git(['log', '--merges', '--format=%H', 'main'])).trim().split('\n').sort()).toEqual(summary.results.map((result) => result.commit).sort());
    // The latest plan is kept where the seed kept it, and each iteration's beside it, committed with the run.
    expect((await repository.git(['ls-files', 'specs'])).trim().split('\n')).toEqual(['specs/plan-iteration-1.json', 'specs/plan.json']);
    expect(JSON.parse(await readFile(join(repository.root, 'specs/plan.json'), 'utf8')).tasks.map((task: { id: string }) => task.id)).toEqual(['api', 'web']);
    // The user's tree is clean afterwards and no worktree is left behind.
    expect((await repository.git(['status', '--porcelain'])).trim()).toBe('');
    // Besides the checkout, only idle slots of the worktree pool (detached, for the next run's tasks).
    const others = (await repository.git(['worktree', 'list', '--porcelain'])).trim().split('\n\n').slice(1);
    expect(others.length).toBeGreaterThan(0);
    for (const entry of others) expect(entry).toMatch(/^worktree .*\/\.pool\/\d+\nHEAD [0-9a-f]{40}\ndetached$/);
    expect(existsSync(new WorktreeManager({ projectDir: repository.root }).runDirectory(summary.runId))).toBe(false);
  });

  it('reports a real merge conflict as a failed task with its files, and lands no conflict markers', async () => {
    const { repository, summary } = await runInRepository(
      [
        { id: 'one', files: ['src/shared.txt'] },
        { id: 'two', files: ['src/other.txt'] },
      ],
      {
        one: [{ type: 'success', delayMs: 5, files: { 'src/shared.txt': 'line 1\nONE\nline 3\n' } }],
        // Declares another file but edits the same line: only the merge can notice.
        two: [{ type: 'success', delayMs: 60, files: { 'src/shared.txt': 'line 1\nTWO\nline 3\n' } }],
      },
      {},
      [JSON.stringify({ isMet: false, reasoning: 'conflict' })],
    );
    const byId = new Map(summary.results.map((result) => [result.taskId, result]));
    expect(byId.get('one')?.status).toBe('completed');
    expect(byId.get('two')).toMatchObject({ status: 'failed', error: { code: 'MERGE_CONFLICT', message: expect.stringContaining('src/shared.txt') } });
    const content = await readFile(join(repository.root, 'src/shared.txt'), 'utf8');
    expect(content).toBe('line 1\nONE\nline 3\n');
    expect(content).not.toContain('<<<<<<<');
  });

  it("retries from a clean checkpoint: a failed attempt's half-written files never reach the next one", async () => {
    const seen: string[] = [];
    const { repository, summary } = await runInRepository(
      [{ id: 'flaky', files: ['src/**'] }],
      (options) => {
        seen.push(options.prompt.includes('previous attempt failed') ? 'retry' : 'first');
        return seen.length === 1 ? { type: 'error', code: 'CRASHED', message: 'agent crashed' } : { type: 'success', files: { 'src/done.txt': 'done\n' } };
      },
      { execution: { maxParallel: 1 } },
    );
    expect(summary.results[0]).toMatchObject({ status: 'completed', attempts: 2 });
    expect(seen).toEqual(['first', 'retry']);
    expect((await repository.git(['status', '--porcelain'])).trim()).toBe('');
  });

  it('rolls a task that failed for good back to its checkpoint when auto rollback is on', async () => {
    const { repository, summary, events } = await runInRepository(
      [{ id: 'bad', files: ['src/**'], verify: [['node', '-e', 'process.exit(1)']] }],
      { bad: [{ type: 'success', files: { 'src/half.txt': 'half-done\n', 'src/shared.txt': 'broken\n' } }] },
      { execution: { maxParallel: 1 }, rollback: { autoRollbackOnFailure: true } },
      [JSON.stringify({ isMet: false, reasoning: 'checks fail' })],
    );
    expect(summary.results[0]?.status).toBe('failed');
    expect(events.some((event) => event.type === 'rollback-end')).toBe(true);
    expect(await readFile(join(repository.root, 'src/shared.txt'), 'utf8')).toBe('line 1\nline 2\nline 3\n');
    await expect(readFile(join(repository.root, 'src/half.txt'), 'utf8')).rejects.toThrow();
  });

  it("refuses a dirty work tree with a clear error and leaves the user's work alone", async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    await repository.write('notes.txt', 'my uncommitted notes\n');
    const provider = new MockAgentProvider({ complete: [plan([{ id: 'a' }])] });
    const summary = await createOrchestrator({ projectDir: repository.root, provider, runStore: new MemoryRunStore() }).run('x');
    expect(summary).toMatchObject({ status: 'failed', error: { code: 'DIRTY_WORKTREE' } });
    expect(await readFile(join(repository.root, 'notes.txt'), 'utf8')).toBe('my uncommitted notes\n');
    expect(provider.calls.runTask).toHaveLength(0);
  });

  it('keeps speculative work whose dependencies did not touch what it used, in its own worktree', async () => {
    const { repository, summary, events } = await runInRepository(
      [
        { id: 'base', files: ['src/base.txt'], estimateMinutes: 30 },
        { id: 'ahead', files: ['src/ahead.txt'], dependsOn: ['base'], estimateMinutes: 5 },
      ],
      {
        base: [{ type: 'success', delayMs: 150, files: { 'src/base.txt': 'base\n' } }],
        ahead: [{ type: 'success', files: { 'src/ahead.txt': 'ahead\n' } }],
      },
      { execution: { enableSpeculative: true, isolation: 'worktree' } },
    );
    expect(summary.status).toBe('met');
    const start = events.find((event): event is EventEnvelope<'task-start'> => event.type === 'task-start' && event.taskId === 'ahead');
    expect(start?.isSpeculative).toBe(true);
    expect(summary.speculation).toMatchObject({ started: 1, kept: 1, rerun: 0 });
    expect(await readFile(join(repository.root, 'src/ahead.txt'), 'utf8')).toBe('ahead\n');
  });

  it('throws speculative work away and runs the task again when a dependency changed a file it wrote', async () => {
    const { repository, summary, provider } = await runInRepository(
      [
        { id: 'base', files: ['src/config.txt'], estimateMinutes: 30 },
        { id: 'ahead', files: ['src/ahead.txt'], dependsOn: ['base'], estimateMinutes: 5 },
      ],
      {
        base: [{ type: 'success', delayMs: 150, files: { 'src/config.txt': 'v2\n' } }],
        // The speculative attempt writes the file its dependency owns.
        ahead: [
          { type: 'success', files: { 'src/ahead.txt': 'guess\n', 'src/config.txt': 'v1\n' } },
          { type: 'success', files: { 'src/ahead.txt': 'informed\n' } },
        ],
      },
      { execution: { enableSpeculative: true, isolation: 'worktree' } },
    );
    expect(summary.status).toBe('met');
    expect(summary.speculation).toMatchObject({ started: 1, kept: 0, rerun: 1 });
    expect(summary.speculation!.wastedMs).toBeGreaterThan(0);
    expect(provider.calls.runTask.filter((call) => call.taskId === 'ahead')).toHaveLength(2);
    expect(await readFile(join(repository.root, 'src/ahead.txt'), 'utf8')).toBe('informed\n');
    expect(await readFile(join(repository.root, 'src/config.txt'), 'utf8')).toBe('v2\n');
  });

  it('fails speculative work whose agent installed into the dependencies linked from the checkout, as it fails a normal task', async () => {
    const { repository, summary, events, provider } = await runInRepository(
      [
        { id: 'base', files: ['src/base.txt'], estimateMinutes: 30 },
        { id: 'ahead', files: ['src/ahead.txt'], dependsOn: ['base'], estimateMinutes: 5 },
      ],
      {
        base: [{ type: 'success', delayMs: 150, files: { 'src/base.txt': 'base\n' } }],
        // Written through the worktree's link: into the user's checkout, after `base` has ended (a write while
        // `base` still runs falls in its window too, and `base` would be the one to fail).
        ahead: [{ type: 'success', delayMs: 1500, files: { 'src/ahead.txt': 'ahead\n', 'node_modules/added/index.js': 'module.exports = 2;\n' } }],
      },
      { execution: { enableSpeculative: true, isolation: 'worktree' } },
      [met],
      async (repository) => {
        await repository.write('.gitignore', 'node_modules/\n');
        await repository.commitAll('ignore dependencies');
        await repository.write('node_modules/dep/index.js', 'module.exports = 1;\n');
      },
    );
    const start = events.find((event): event is EventEnvelope<'task-start'> => event.type === 'task-start' && event.taskId === 'ahead');
    expect(start?.isSpeculative).toBe(true);
    expect(summary.speculation).toMatchObject({ started: 1, rerun: 0 });
    const ended = events.find((event): event is EventEnvelope<'task-end'> => event.type === 'task-end' && event.taskId === 'ahead');
    expect(ended?.result).toMatchObject({ status: 'failed', error: { code: 'SHARED_DEPENDENCIES_CHANGED' } });
    expect(provider.calls.runTask.filter((call) => call.taskId === 'ahead')).toHaveLength(1);
    expect(existsSync(join(repository.root, 'src/ahead.txt'))).toBe(false);
  });
});
