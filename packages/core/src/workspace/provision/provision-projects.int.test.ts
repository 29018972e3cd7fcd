import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { agentEnvironment, type LLMProviderV1, type RunTaskOptions, type RunTaskResult } from '@qoder-orch/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema, createGitWorkspace, TaskSchema, type Task } from '../../index';
import { createTemporaryRepository, type TemporaryRepository } from '../../git/testing/temporary-repository';
import { TaskPipeline } from '../../pipeline/task-pipeline';
import type { ProvisionEvent, ProvisionSettings } from './provision-types';

// Real projects, real npm, python and git on a shared machine: generous limits, no timed assertions.
vi.setConfig({ testTimeout: 240_000 });
const run = promisify(execFile);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function temporaryFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** A local npm package packed into a tarball: installable with no network. */
async function packedPackage(name: string, body: string): Promise<string> {
  const folder = await temporaryFolder(`qoder-orch-${name}-`);
  await writeFile(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
  await writeFile(join(folder, 'index.js'), body);
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', folder], { cwd: folder });
  return join(folder, stdout.trim().split('\n').at(-1)!);
}

const npmInstall = (tarball: string) => ['npm', 'install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball];

/** A Node project with a dependency installed from a local tarball and a `node --test` test that requires it. */
async function nodeProject(): Promise<TemporaryRepository> {
  const repo = await createTemporaryRepository({
    '.gitignore': 'node_modules/\n',
    'package.json': '{"name":"app","version":"1.0.0","private":true}\n',
    'test/greet.test.js': "const test = require('node:test');\nconst assert = require('node:assert');\nconst greet = require('greet');\ntest('greets', () => assert.strictEqual(greet('you'), 'hello you'));\n",
  });
  cleanups.push(() => repo.cleanup());
  const [npm, ...args] = npmInstall(await packedPackage('greet', 'module.exports = (name) => `hello ${name}`;\n'));
  await run(npm!, args, { cwd: repo.root });
  await repo.commitAll('depend on greet');
  return repo;
}

/** A Python project with a virtualenv holding a local package, and a `unittest` test importing it. */
async function pythonProject(): Promise<TemporaryRepository> {
  const repo = await createTemporaryRepository({
    '.gitignore': '.venv/\n__pycache__/\n',
    'tests/__init__.py': '',
    'tests/test_tiny.py': 'import unittest\nimport tinymath\n\nclass TinyTest(unittest.TestCase):\n    def test_double(self):\n        self.assertEqual(tinymath.double(21), 42)\n',
  });
  cleanups.push(() => repo.cleanup());
  await run('python3', ['-m', 'venv', '--without-pip', '.venv'], { cwd: repo.root });
  const lib = join(repo.root, '.venv', 'lib');
  const sitePackages = join(lib, (await readdir(lib)).find((name) => name.startsWith('python'))!, 'site-packages');
  await mkdir(join(sitePackages, 'tinymath'), { recursive: true });
  await writeFile(join(sitePackages, 'tinymath', '__init__.py'), 'def double(value):\n    return value * 2\n');
  return repo;
}

/** An agent stand-in: a real process per task (`argv`, or nothing), its environment recorded. */
class ProcessAgent implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId = 'process-agent';
  readonly environments: Array<{ taskId: string; env: Record<string, string> }> = [];
  readonly prompts: string[] = [];
  constructor(readonly argvFor: (taskId: string) => readonly string[] | undefined) {}
  doComplete(): never {
    throw new Error('not used');
  }
  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const env = { ...agentEnvironment(process.env), ...options.env };
    this.environments.push({ taskId: options.taskId, env: { ...(options.env ?? {}) } });
    this.prompts.push(options.prompt);
    const argv = this.argvFor(options.taskId);
    if (argv !== undefined) await run(argv[0]!, argv.slice(1), { cwd: options.cwd, env });
    return { summary: `Done.\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: 'ran' })}\n\`\`\``, usage: { inputTokens: 0, outputTokens: 0 }, durationMs: 1 };
  }
}

async function pipelineFor(repo: TemporaryRepository, provision: ProvisionSettings, agent: ProcessAgent) {
  const worktreeRoot = `${repo.root}-worktrees`;
  cleanups.push(() => rm(worktreeRoot, { recursive: true, force: true }));
  const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree', worktreeRoot, provision });
  const events: ProvisionEvent[] = [];
  await workspace.begin({ runId: 'provision', isResume: false, allowDirty: false, onProvision: (event) => events.push(event) });
  const pipeline = new TaskPipeline({ provider: agent, workspace, projectDir: repo.root, objective: 'Test the project', runId: 'provision', config: ConfigSchema.parse({}) });
  return { pipeline, events, workspace };
}

const task = (id: string, verify: string[][]): Task => TaskSchema.parse({ id, title: `Task ${id}`, agent: 'backend-dev', verify });
const signal = () => new AbortController().signal;

describe('worktrees ready to work in: real projects, no network', () => {
  for (const dependencies of ['link', 'copy'] as const) {
    it(`runs a Node project's tests inside a task's worktree (${dependencies})`, async () => {
      const repo = await nodeProject();
      const { pipeline, events } = await pipelineFor(repo, { dependencies }, new ProcessAgent(() => undefined));
      const result = await pipeline.run(task('node-tests', [['node', '--test']]), { slot: 0, abortSignal: signal() });
      expect(result.status, JSON.stringify(result.verification)).toBe('completed');
      expect(result.verification[0]).toMatchObject({ passed: true, testSummary: expect.objectContaining({ passed: 1 }) });
      const finished = events.find((event) => event.type === 'provision-finish');
      expect(finished).toMatchObject({ isOk: true, isReused: false, dependencies, ...(dependencies === 'link' ? { linkedDependencies: 1 } : { copiedDependencies: 1 }) });
      // The next task in the slot: nothing provisioned again, the tests pass all the same.
      const next = await pipeline.run(task('node-tests-again', [['node', '--test']]), { slot: 0, abortSignal: signal() });
      expect(next.status, JSON.stringify(next.verification)).toBe('completed');
      expect(events.filter((event) => event.type === 'provision-finish').map((event) => event.type === 'provision-finish' && event.isReused)).toEqual([false, true]);
    });

    it(`runs a Python project's tests with its virtualenv inside a task's worktree (${dependencies})`, async () => {
      const repo = await pythonProject();
      const { pipeline, events } = await pipelineFor(repo, { dependencies }, new ProcessAgent(() => undefined));
      const unittest = ['.venv/bin/python', '-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'];
      const result = await pipeline.run(task('python-tests', [unittest]), { slot: 0, abortSignal: signal() });
      expect(result.status, JSON.stringify(result.verification)).toBe('completed');
      // Importing the packages wrote bytecode into the venv: not an install, the slot is reused.
      const next = await pipeline.run(task('python-tests-again', [unittest]), { slot: 0, abortSignal: signal() });
      expect(next.status, JSON.stringify(next.verification)).toBe('completed');
      expect(events.filter((event) => event.type === 'provision-finish').map((event) => event.type === 'provision-finish' && event.isReused)).toEqual([false, true]);
    });
  }

  it('fails a task whose agent installs into the linked node_modules, naming the fix; in copy mode the main checkout is untouched', async () => {
    const extra = await packedPackage('left-pad', 'module.exports = (text) => text;\n');
    const linkedRepo = await nodeProject();
    const userModules = await describeFolder(join(linkedRepo.root, 'node_modules'));
    const agent = new ProcessAgent(() => npmInstall(extra));
    const linked = await pipelineFor(linkedRepo, { dependencies: 'link' }, agent);
    const failed = await linked.pipeline.run(task('install', [['node', '--test']]), { slot: 0, abortSignal: signal() });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('SHARED_DEPENDENCIES_CHANGED');
    expect(failed.error?.message).toContain('node_modules');
    // npm replaces the link with a folder of its own (the user's node_modules is left as it was); pnpm, yarn or pip may write through it instead: both are caught.
    expect(failed.error?.message).toMatch(/replaced the link to your checkout's node_modules|writes into your checkout's node_modules/);
    expect(failed.error?.fix).toContain('workspace.dependencies: copy');
    expect(await describeFolder(join(linkedRepo.root, 'node_modules'))).toEqual(userModules);
    // The prompt told the agent the folders are shared and not to install into them.
    expect(agent.prompts[0]).toContain('## Installed dependencies');
    expect(agent.prompts[0]).toContain('`node_modules`');

    const copiedRepo = await nodeProject();
    const mainBefore = await describeFolder(join(copiedRepo.root, 'node_modules'));
    const copied = await pipelineFor(copiedRepo, { dependencies: 'copy' }, new ProcessAgent(() => npmInstall(extra)));
    const installed = await copied.pipeline.run(task('install-copy', [['node', '-e', "require('left-pad'); require('greet')"]]), { slot: 0, abortSignal: signal() });
    // The install landed in the worktree's private copy: the task's own check found left-pad…
    expect(installed.verification.map((check) => [check.phase, check.passed])).toEqual([
      ['task', true],
      ['merge', false],
    ]);
    // …and only there: run again in the main checkout after the merge, the check does not find it.
    expect(installed.error?.code).toBe('VERIFICATION_FAILED');
    expect(await describeFolder(join(copiedRepo.root, 'node_modules'))).toEqual(mainBefore);
  });

  it('gives two concurrent tasks distinct ports, in the agent environment and the checks', async () => {
    const repo = await nodeProject();
    const agent = new ProcessAgent(() => undefined);
    const { pipeline } = await pipelineFor(repo, { dependencies: 'link', portBase: 43_000, portsPerTask: 4 }, agent);
    const check = ['node', '-e', 'if (!/^\\d+-\\d+$/.test(process.env.QODER_ORCH_PORT_RANGE) || !process.env.PORT) process.exit(1)'];
    const [first, second] = await Promise.all([pipeline.run(task('one', [check]), { slot: 0, abortSignal: signal() }), pipeline.run(task('two', [check]), { slot: 1, abortSignal: signal() })]);
    expect([first.status, second.status]).toEqual(['completed', 'completed']);
    // The ranges belong to the pool slots the two tasks hold (whichever each got first).
    const environments = agent.environments.map((entry) => entry.env).sort((left, right) => Number(left?.PORT) - Number(right?.PORT));
    expect(environments).toEqual([
      { PORT: '43000', QODER_ORCH_PORT_RANGE: '43000-43003', QODER_ORCH_SLOT: '0' },
      { PORT: '43004', QODER_ORCH_PORT_RANGE: '43004-43007', QODER_ORCH_SLOT: '1' },
    ]);
  });

  it('fails a task whose worktree setup fails, with the command and its output, and removes the worktree', async () => {
    const repo = await nodeProject();
    await repo.write('scripts/setup.js', "console.error('database not reachable'); process.exit(2);\n");
    await repo.commitAll('setup script');
    const { pipeline, events } = await pipelineFor(repo, { dependencies: 'link', setup: ['node scripts/setup.js'] }, new ProcessAgent(() => undefined));
    const result = await pipeline.run(task('setup-fails', [['node', '--test']]), { slot: 0, abortSignal: signal() });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('PROVISION_FAILED');
    expect(result.error?.message).toContain('`node scripts/setup.js` exited with 2');
    expect(result.error?.message).toContain('database not reachable');
    expect(events.find((event) => event.type === 'provision-finish')).toMatchObject({ isOk: false });
    const listed = await repo.git(['worktree', 'list', '--porcelain']);
    expect(listed).not.toContain('setup-fails');
  });
});

/** Names and contents of a folder's files, recursively (links as their targets), for before/after comparison. */
async function describeFolder(folder: string): Promise<Record<string, string>> {
  const described: Record<string, string> = {};
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    described[path.slice(folder.length)] = entry.isFile() ? await readFile(path, 'utf8') : entry.isSymbolicLink() ? 'link' : 'folder';
  }
  return described;
}
