import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ConfigOverrides, type EventEnvelope, MemoryRunStore, WorktreeManager, createOrchestrator } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider, type MockAgentProviderSettings } from '../test/index';

// Real git, real `node --test` and a real virtualenv on a shared machine.
vi.setConfig({ testTimeout: 120_000 });

const run = promisify(execFile);
const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

type TaskSpec = { id: string; files: string[]; verify: string[][] };
const met = JSON.stringify({ isMet: true, reasoning: 'ok' });

async function runTasks(repository: TemporaryRepository, tasks: TaskSpec[], runTask: NonNullable<MockAgentProviderSettings['runTask']>, config: ConfigOverrides = {}) {
  const provider = new MockAgentProvider({
    complete: (options) => (options.purpose === 'judge' ? met : JSON.stringify({ tasks: tasks.map((task) => ({ title: `Do ${task.id}`, agent: 'backend-dev', ...task })) })),
    runTask,
  });
  const orchestrator = createOrchestrator({
    projectDir: repository.root,
    provider,
    runStore: new MemoryRunStore(),
    durationHistory: false,
    config: {
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 2 },
      ...config,
      execution: { maxParallel: 2, maxIterations: 1, isolation: 'worktree', testCommand: ['node', '-e', '0'], ...config.execution },
    },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => events.push(event));
  const summary = await orchestrator.run('Build it');
  return { summary, events, provider };
}

/** Every file under `root` (not `.git`), relative. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith('.git/'));
}

const PASSING_TEST = "import test from 'node:test';\ntest('sum', () => {});\n";
const FAILING_TEST = "import test from 'node:test';\nimport assert from 'node:assert';\ntest('half-written', () => assert.fail('not done'));\n";

describe('task worktrees outside the project', () => {
  it("a failed run leaves nothing the project's own `node --test` could find, and a markdown task passes its checks beside it", async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n', 'sum.test.mjs': PASSING_TEST });
    repositories.push(repository);
    const { summary, events } = await runTasks(
      repository,
      [
        { id: 'broken', files: ['broken.test.mjs'], verify: [['node', '--test']] },
        { id: 'notes', files: ['docs/notes.md'], verify: [['node', '--test']] },
      ],
      {
        broken: [{ type: 'success', delayMs: 10, files: { 'broken.test.mjs': FAILING_TEST } }],
        notes: [{ type: 'success', delayMs: 300, files: { 'docs/notes.md': '# Notes\n' } }],
      },
      { execution: { testCommand: ['node', '--test'] } },
    );
    expect(summary.status).not.toBe('met');
    const ends = new Map(events.filter((event): event is EventEnvelope<'task-end'> => event.type === 'task-end').map((event) => [event.taskId, event.result]));
    expect(ends.get('broken')?.status).toBe('failed');
    // The markdown task's checks (in its worktree and after its merge) never ran the other task's test.
    expect(ends.get('notes')?.status).toBe('completed');
    expect(await readFile(join(repository.root, 'docs/notes.md'), 'utf8')).toBe('# Notes\n');

    // Nothing of the failed task is inside the project tree…
    expect(filesUnder(repository.root).filter((path) => path.endsWith('broken.test.mjs'))).toEqual([]);
    // …so the user's own test run sees only the user's tests.
    const own = await run(process.execPath, ['--test'], { cwd: repository.root });
    expect(own.stdout).toMatch(/^# tests 1$/m);
    expect(own.stdout).toMatch(/^# fail 0$/m);
    // The failed task's worktree, kept for inspection, is outside the project (or its work is under a leftover ref).
    const kept = await new WorktreeManager({ projectDir: repository.root }).list();
    for (const worktree of kept) expect(relative(repository.root, worktree.path).startsWith('..')).toBe(true);
    const leftovers = (await repository.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/'])).trim();
    expect(kept.some((worktree) => existsSync(join(worktree.path, 'broken.test.mjs'))) || leftovers !== '').toBe(true);
  });

  it('a check that imports an installed Node dependency passes inside the task worktree', async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n', '.gitignore': 'node_modules/\n', 'package.json': '{"name":"app","type":"module"}\n' });
    repositories.push(repository);
    await repository.write('node_modules/greet/package.json', '{"name":"greet","type":"module","exports":"./index.js"}\n');
    await repository.write('node_modules/greet/index.js', "export default () => 'hi';\n");
    const greetTest = "import test from 'node:test';\nimport assert from 'node:assert';\nimport greet from 'greet';\ntest('greets', () => assert.equal(greet(), 'hi'));\n";
    const { summary, events, provider } = await runTasks(repository, [{ id: 'greeting', files: ['greet.test.mjs'], verify: [['node', '--test', 'greet.test.mjs']] }], {
      greeting: [{ type: 'success', files: { 'greet.test.mjs': greetTest } }],
    });
    const end = events.find((event): event is EventEnvelope<'task-end'> => event.type === 'task-end');
    expect(end?.result.status, JSON.stringify(end?.result.verification)).toBe('completed');
    expect(summary.status).toBe('met');
    const start = events.find((event): event is EventEnvelope<'task-start'> => event.type === 'task-start');
    expect(relative(repository.root, start!.cwd).startsWith('..')).toBe(true);
    // The agent was told the folder is the user's, not its to install into.
    expect(provider.calls.runTask[0]?.prompt).toMatch(/Installed dependencies[\s\S]*`node_modules`[\s\S]*do not install/);
    // No link was committed; the user's tree and dependencies are as they were.
    expect((await repository.git(['ls-tree', '-r', '--name-only', 'HEAD'])).split('\n')).not.toContain('node_modules');
    expect((await repository.git(['status', '--porcelain'])).trim()).toBe('');
    expect(await readFile(join(repository.root, 'node_modules/greet/index.js'), 'utf8')).toBe("export default () => 'hi';\n");
  });

  it("a check run with the project virtualenv's python passes inside the task worktree", async () => {
    const python = await run('python3', ['-c', 'import sys; print(sys.version_info[0])']).then(
      () => 'python3',
      () => undefined,
    );
    expect(python, 'python3 is needed for this test').toBe('python3');
    const repository = await createTemporaryRepository({ 'README.md': '# app\n', '.gitignore': '.venv/\n' });
    repositories.push(repository);
    await run('python3', ['-m', 'venv', '--without-pip', join(repository.root, '.venv')]);
    const sitePackages = (await run(join(repository.root, '.venv', 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'])).stdout.trim();
    await mkdir(sitePackages, { recursive: true });
    await writeFile(join(sitePackages, 'installed_dep.py'), 'VALUE = 42\n');
    const check = "import sys\nimport installed_dep\nassert installed_dep.VALUE == 42\nassert sys.prefix != sys.base_prefix, 'not in the virtualenv'\n";
    // Also where the configuration puts worktrees (`~/` and relative paths allowed).
    const worktreeRoot = await mkdtemp(join(tmpdir(), 'qoder-orch-configured-root-'));
    const { summary, events } = await runTasks(
      repository,
      [{ id: 'py', files: ['test_dep.py'], verify: [['.venv/bin/python', 'test_dep.py']] }],
      { py: [{ type: 'success', files: { 'test_dep.py': check } }] },
      // A script the agent wrote, run by the virtualenv's python: the user allows it by name.
      { execution: { worktreeRoot: relative(repository.root, worktreeRoot) }, validation: { commandPolicy: { mode: 'refuse', allow: ['.venv/bin/python test_dep.py'] } } },
    );
    const end = events.find((event): event is EventEnvelope<'task-end'> => event.type === 'task-end');
    expect(end?.result.status, JSON.stringify(end?.result.verification)).toBe('completed');
    expect(summary.status).toBe('met');
    const start = events.find((event): event is EventEnvelope<'task-start'> => event.type === 'task-start');
    expect(start!.cwd.startsWith(`${worktreeRoot}/`)).toBe(true);
    await rm(worktreeRoot, { recursive: true, force: true });
    expect((await repository.git(['status', '--porcelain'])).trim()).toBe('');
  });
});
