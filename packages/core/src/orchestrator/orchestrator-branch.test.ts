import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRunStore, createOrchestrator, defaultRunBranch } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider } from '../test/index';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

const plan = JSON.stringify({
  tasks: [
    { id: 'api', title: 'Write the api', agent: 'backend-dev', files: ['src/api.txt'] },
    { id: 'ui', title: 'Write the ui', agent: 'frontend-dev', files: ['src/ui.txt'] },
  ],
});
const verdict = (isMet: boolean) => JSON.stringify({ isMet, reasoning: isMet ? 'ok' : 'not yet' });

async function setUp() {
  const repository = await createTemporaryRepository({ 'README.md': '# app\n', 'notes.txt': 'one\n' });
  repositories.push(repository);
  // The user's uncommitted work: a changed file (staged), a changed file (not staged), an untracked file.
  await repository.write('README.md', '# app, edited\n');
  await repository.git(['add', 'README.md']);
  await repository.write('notes.txt', 'one\ntwo\n');
  await repository.write('draft.txt', 'my draft\n');
  return repository;
}

function provider(options: { isMet?: boolean } = {}) {
  return new MockAgentProvider({
    complete: (call) => (call.purpose === 'judge' ? verdict(options.isMet ?? true) : plan),
    runTask: (task) => ({ type: 'success', files: { [`src/${task.taskId}.txt`]: `${task.taskId}\n` } }),
  });
}

async function userState(repository: TemporaryRepository) {
  return {
    head: (await repository.git(['symbolic-ref', 'HEAD'])).trim(),
    main: (await repository.git(['rev-parse', 'refs/heads/main'])).trim(),
    status: await repository.git(['status', '--porcelain=v1', '--untracked-files=all']),
    staged: await repository.git(['diff', '--cached', '--name-only']),
    files: { readme: await readFile(join(repository.root, 'README.md'), 'utf8'), notes: await readFile(join(repository.root, 'notes.txt'), 'utf8'), draft: await readFile(join(repository.root, 'draft.txt'), 'utf8') },
  };
}

describe('a run on a branch of its own (branch)', () => {
  for (const isolation of ['shared', 'worktree'] as const) {
    it(`works on a new branch from HEAD and leaves the user's branch, index and files as they were (isolation ${isolation})`, async () => {
      const repository = await setUp();
      const before = await userState(repository);
      const orchestrator = createOrchestrator({
        projectDir: repository.root,
        provider: provider(),
        runStore: new MemoryRunStore(),
        branch: 'feature/login',
        config: { execution: { isolation, maxParallel: isolation === 'worktree' ? 2 : 1, maxIterations: 1, allowDirty: true, testCommand: ['node', '-e', '0'] } },
      });
      const summary = await orchestrator.run('Build it');
      expect(summary.status).toBe('met');
      expect(await userState(repository)).toEqual(before);
      const tip = (await repository.git(['rev-parse', 'refs/heads/feature/login'])).trim();
      expect(summary.branch).toEqual({ name: 'feature/login', head: tip, returnedTo: 'main' });
      // The run's work is on its branch, on top of the user's HEAD; none of it in the checkout.
      expect((await repository.git(['merge-base', 'feature/login', 'main'])).trim()).toBe(before.main);
      expect((await repository.git(['ls-tree', '-r', '--name-only', 'feature/login'])).split('\n')).toEqual(expect.arrayContaining(['src/api.txt', 'src/ui.txt', 'specs/plan.json']));
      expect((await repository.git(['ls-files'])).split('\n')).not.toContain('src/api.txt');
      // The committed README on the branch is the user's HEAD's, not their uncommitted edit.
      expect(await repository.git(['show', 'feature/login:README.md'])).toBe('# app\n');
    });
  }

  it('keeps what a failed task left in the shared tree under a leftover ref, and still goes back to the user’s branch with their work', async () => {
    const repository = await setUp();
    const before = await userState(repository);
    const failing = new MockAgentProvider({
      complete: (call) => (call.purpose === 'judge' ? verdict(false) : JSON.stringify({ tasks: [{ id: 'api', title: 'Write the api', agent: 'backend-dev', files: ['src/api.txt'], verify: [['node', '-e', 'process.exit(1)']] }] })),
      runTask: () => ({ type: 'success', files: { 'src/api.txt': 'half done\n' } }),
    });
    const orchestrator = createOrchestrator({
      projectDir: repository.root,
      provider: failing,
      runStore: new MemoryRunStore(),
      branch: 'feature/api',
      config: {
        retry: { maxAttempts: 1 },
        validation: { commandPolicy: { mode: 'refuse', allow: ['node -e **'] } },
        execution: { isolation: 'shared', maxParallel: 1, maxIterations: 1, allowDirty: true, testCommand: ['node', '-e', '0'] },
      },
    });
    const summary = await orchestrator.run('Build it');
    expect(summary.status).toBe('not-met');
    expect(await userState(repository)).toEqual(before);
    const kept = (await repository.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/'])).trim().split('\n');
    const leftover = kept.find((ref) => ref.endsWith('/branch/left-in-tree'));
    expect(leftover).toBeDefined();
    expect(await repository.git(['show', `${leftover}:src/api.txt`])).toBe('half done\n');
  });

  it('refuses an existing branch (BRANCH_EXISTS) and an invalid name (BRANCH_INVALID) before touching the uncommitted work', async () => {
    const repository = await setUp();
    await repository.git(['branch', 'taken']);
    const before = await userState(repository);
    for (const [branch, code] of [
      ['taken', 'BRANCH_EXISTS'],
      ['bad..name', 'BRANCH_INVALID'],
      ['-f', 'BRANCH_INVALID'],
    ] as const) {
      const store = new MemoryRunStore();
      const orchestrator = createOrchestrator({ projectDir: repository.root, provider: provider(), runStore: store, branch, config: { execution: { maxIterations: 1, allowDirty: true } } });
      const summary = await orchestrator.run('Build it');
      expect(summary.status).toBe('failed');
      expect(summary.error?.code).toBe(code);
      expect(summary.branch).toBeUndefined();
      // The refused branch is not the run's: resuming it never works on that branch.
      expect((await store.readState(orchestrator.runId))?.branch).toBeUndefined();
      expect(await userState(repository)).toEqual(before);
      expect(await repository.git(['for-each-ref', 'refs/qoder-orch/snapshots/'])).toBe('');
    }
  });

  it('goes back to its own branch on resume (the existing branch is no error), then back to the user’s; another branch name is refused', async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const store = new MemoryRunStore();
    const config = { execution: { maxParallel: 1, maxIterations: 1, testCommand: ['node', '-e', '0'] } };
    const first = createOrchestrator({ projectDir: repository.root, provider: provider({ isMet: false }), runStore: store, branch: true, config });
    const ended = await first.run('Build it');
    const name = defaultRunBranch(first.runId);
    expect(ended.status).toBe('not-met');
    expect(ended.branch?.name).toBe(name);
    expect((await repository.git(['symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/main');
    const refused = await createOrchestrator({ projectDir: repository.root, provider: provider(), runStore: store, branch: 'other', config }).resume(first.runId);
    expect(refused.error?.code).toBe('CONFIG_INVALID');
    // The user works on main meanwhile: a commit and an uncommitted change.
    await repository.write('mine.txt', 'mine\n');
    await repository.commitAll('my work');
    await repository.write('README.md', '# app, mine\n');
    const mainTip = (await repository.git(['rev-parse', 'main'])).trim();
    const resumed = await createOrchestrator({ projectDir: repository.root, provider: provider(), runStore: store, config }).resume(first.runId);
    expect(resumed.error).toBeUndefined();
    expect(resumed.branch).toMatchObject({ name, returnedTo: 'main' });
    expect((await repository.git(['symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/main');
    expect((await repository.git(['rev-parse', 'main'])).trim()).toBe(mainTip);
    expect(await readFile(join(repository.root, 'README.md'), 'utf8')).toBe('# app, mine\n');
    expect((await repository.git(['ls-tree', '-r', '--name-only', name])).split('\n')).not.toContain('mine.txt');
  });
});

describe('branches under qoder-orch/ that are not a task’s', () => {
  it('are left alone by the next run’s clean-up of crashed runs: a delivered run branch and a user’s own', async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const run = (branch: string | true | undefined) =>
      createOrchestrator({
        projectDir: repository.root,
        provider: provider(),
        runStore: new MemoryRunStore(),
        ...(branch === undefined ? {} : { branch }),
        config: { execution: { isolation: 'worktree', maxParallel: 2, maxIterations: 1, testCommand: ['node', '-e', '0'] } },
      }).run('Build it');
    const delivered = await run(true);
    expect(delivered.branch?.name).toMatch(/^qoder-orch\/run-/);
    await repository.git(['branch', 'qoder-orch/my-experiment', 'main']);
    await repository.git(['branch', 'qoder-orch/team/feature', 'main']);
    const tips = async () => (await repository.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/qoder-orch/'])).trim().split('\n').sort();
    const before = await tips();
    expect(before).toHaveLength(3);
    expect((await run(undefined)).status).toBe('met');
    expect(await tips()).toEqual(before);
  });
});
