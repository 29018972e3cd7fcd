import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, OrchestratorError, RollbackManager, type Task, TaskSchema } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider } from '../test/index';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

async function repository(files?: Record<string, string>): Promise<TemporaryRepository> {
  const created = await createTemporaryRepository(files);
  repositories.push(created);
  return created;
}

const task = (id: string, files: string[] = []): Task => TaskSchema.parse({ id, title: id, agent: 'coder', files });
const log = (repo: TemporaryRepository) => repo.git(['log', '--format=%s', 'HEAD']).then((text) => text.trim().split('\n'));

describe('git workspace, shared isolation', () => {
  it('checkpoints before a task and commits only its work on the current branch', async () => {
    const repo = await repository({ 'src/app.ts': 'export {};\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    const begun = await workspace.begin({ runId: 'run-1', isResume: false, allowDirty: false });
    expect(begun.baseCommit).toBe((await repo.git(['rev-parse', 'HEAD'])).trim());
    const t1 = task('t1');
    const prepared = await workspace.prepare(t1, { runId: 'run-1', attempt: 1 });
    expect(prepared.cwd).toBe(repo.root);
    expect(prepared.checkpointRef).toBe('refs/qoder-orch/checkpoints/run-1/t1');
    await repo.write('src/app.ts', 'export const app = 1;\n');
    await repo.write('src/new.ts', 'export const fresh = true;\n');
    expect((await workspace.changedFiles(prepared)).sort()).toEqual(['src/app.ts', 'src/new.ts']);
    const completed = await workspace.complete(t1, prepared, { message: 'Add the app' });
    expect(completed.filesChanged.sort()).toEqual(['src/app.ts', 'src/new.ts']);
    expect(completed.commit).toBe((await repo.git(['rev-parse', 'main'])).trim());
    expect(await log(repo)).toEqual(['Add the app', 'initial']);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect((await repo.git(['rev-parse', 'refs/qoder-orch/merges/run-1/t1'])).trim()).toBe(completed.commit);
    await workspace.end({ isSuccess: true });
    // A successful run drops its checkpoints; the commit stays.
    expect(await new RollbackManager({ projectDir: repo.root }).listCheckpoints()).toEqual([]);
  });

  it('rolls back one of two parallel tasks, leaving the other task alone', async () => {
    const repo = await repository({ 'a/one.txt': 'a1\n', 'b/two.txt': 'b2\n', 'c.txt': 'c\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    await workspace.begin({ runId: 'run-p', isResume: false, allowDirty: false });
    const taskA = task('task-a', ['a/**']);
    const taskB = task('task-b', ['b/**', 'c.txt']);
    const [preparedA, preparedB] = await Promise.all([workspace.prepare(taskA, { runId: 'run-p', attempt: 1 }), workspace.prepare(taskB, { runId: 'run-p', attempt: 1 })]);
    await repo.write('a/one.txt', 'a1 changed by A\n');
    await repo.write('a/created-by-a.txt', 'new from A\n');
    await repo.write('b/two.txt', 'b2 changed by B\n');
    await repo.remove('c.txt');
    expect((await workspace.changedFiles(preparedA)).sort()).toEqual(['a/created-by-a.txt', 'a/one.txt']);
    expect((await workspace.changedFiles(preparedB)).sort()).toEqual(['b/two.txt', 'c.txt']);
    await Promise.all([workspace.discard(taskA, preparedA, { isRollback: true, reason: 'failed for good' }), workspace.complete(taskB, preparedB, { message: 'Task B' })]);
    expect((await repo.read('a/one.txt')).toString()).toBe('a1\n');
    await expect(repo.read('a/created-by-a.txt')).rejects.toThrow();
    expect((await repo.read('b/two.txt')).toString()).toBe('b2 changed by B\n');
    expect(await repo.git(['show', '--name-only', '--format=', 'HEAD'])).toBe('b/two.txt\nc.txt\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    // A's work is not destroyed: it is kept under a leftover ref.
    const leftovers = await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/run-p/task-a/']);
    expect(await repo.git(['show', `${leftovers.trim()}:a/created-by-a.txt`])).toBe('new from A\n');
    await workspace.end({ isSuccess: false });
  });

  it('commits each of several parallel tasks with only its own files', async () => {
    const repo = await repository({ 'README.md': 'r\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    await workspace.begin({ runId: 'run-many', isResume: false, allowDirty: false });
    const tasks = ['api', 'web', 'docs', 'cli'].map((id) => task(id, [`${id}/**`]));
    const provider = new MockAgentProvider({ runTask: (options) => ({ type: 'success', files: { [`${options.taskId}/index.ts`]: `// ${options.taskId}\n`, [`${options.taskId}/extra.ts`]: 'x\n' } }) });
    const results = await Promise.all(
      tasks.map(async (each) => {
        const prepared = await workspace.prepare(each, { runId: 'run-many', attempt: 1 });
        await provider.doRunTask({ taskId: each.id, prompt: 'work', cwd: prepared.cwd });
        return workspace.complete(each, prepared, { message: `Task ${each.id}` });
      }),
    );
    for (const [index, result] of results.entries()) {
      const id = tasks[index]?.id ?? '';
      expect(result.filesChanged.sort()).toEqual([`${id}/extra.ts`, `${id}/index.ts`]);
      expect(await repo.git(['show', '--name-only', '--format=', result.commit ?? ''])).toBe(`${id}/extra.ts\n${id}/index.ts\n`);
    }
    expect((await log(repo)).slice(0, 4).sort()).toEqual(['Task api', 'Task cli', 'Task docs', 'Task web']);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: true });
  });

  it('refuses a dirty tree with the fix, and with allowDirty keeps the user work through a failing task', async () => {
    const repo = await repository({ 'src/app.ts': 'app\n', 'docs/guide.md': 'guide\n' });
    await repo.write('src/app.ts', 'app with my edit\n');
    await repo.write('scratch.txt', 'my notes\n');
    await repo.write('docs/guide.md', 'guide, staged by me\n');
    await repo.git(['add', 'docs/guide.md']);
    const userFiles = await repo.files();
    const refused = await createGitWorkspace({ projectDir: repo.root, isolation: 'shared' })
      .begin({ runId: 'run-d', isResume: false, allowDirty: false })
      .catch((error: unknown) => error);
    expect(OrchestratorError.isInstance(refused) && refused.code).toBe('DIRTY_WORKTREE');
    expect((refused as OrchestratorError).fix).toContain('allowDirty');
    expect((refused as OrchestratorError).message).toContain('scratch.txt');
    expect(await repo.files()).toEqual(userFiles);

    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    const begun = await workspace.begin({ runId: 'run-d', isResume: false, allowDirty: true });
    expect(begun.userSnapshot).toMatch(/^[0-9a-f]{40}$/);
    expect(begun.warnings.join('\n')).toContain('refs/qoder-orch/snapshots/run-d');
    // The run starts from HEAD; the tasks never see (or commit) the user's changes.
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    const failing = task('fails');
    const preparedFailing = await workspace.prepare(failing, { runId: 'run-d', attempt: 1 });
    await repo.write('src/app.ts', 'broken by the agent\n');
    await repo.remove('docs/guide.md');
    await workspace.discard(failing, preparedFailing, { isRollback: true, reason: 'tests failed' });
    const passing = task('passes');
    const preparedPassing = await workspace.prepare(passing, { runId: 'run-d', attempt: 1 });
    await repo.write('src/feature.ts', 'feature\n');
    const completed = await workspace.complete(passing, preparedPassing, { message: 'Add a feature' });
    expect(await repo.git(['show', '--name-only', '--format=', completed.commit ?? 'HEAD'])).toBe('src/feature.ts\n');
    const ended = await workspace.end({ isSuccess: true });
    expect(ended?.keptRefs).toEqual([]);
    expect(await repo.files()).toEqual({ ...userFiles, 'src/feature.ts': expect.any(String) });
    expect(await repo.git(['diff', '--cached', '--name-only'])).toBe('');
    expect(await repo.git(['status', '--porcelain'])).toContain('scratch.txt');
  });

  it('recovers a task interrupted between its checkpoint and its commit, on a fresh workspace', async () => {
    const repo = await repository({ 'keep.txt': 'keep\n', 'edit.txt': 'before\n' });
    const crashed = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    await crashed.begin({ runId: 'run-c', isResume: false, allowDirty: false });
    const done = task('done');
    const preparedDone = await crashed.prepare(done, { runId: 'run-c', attempt: 1 });
    await repo.write('done.txt', 'finished before the crash\n');
    await crashed.complete(done, preparedDone, { message: 'Done before the crash' });
    const interrupted = task('interrupted');
    const prepared = await crashed.prepare(interrupted, { runId: 'run-c', attempt: 1 });
    await repo.write('edit.txt', 'half written\n');
    await repo.write('half-new.txt', 'half\n');
    // The process dies here: no complete, no discard, no end.

    const resumed = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    const begun = await resumed.begin({ runId: 'run-c', isResume: true, allowDirty: false });
    expect(begun.warnings.join('\n')).toContain('recover');
    await resumed.recover([{ taskId: 'interrupted' }]);
    expect((await repo.read('edit.txt')).toString()).toBe('before\n');
    await expect(repo.read('half-new.txt')).rejects.toThrow();
    expect((await repo.read('done.txt')).toString()).toBe('finished before the crash\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    const leftovers = (await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/run-c/interrupted/'])).trim();
    expect(await repo.git(['show', `${leftovers}:half-new.txt`])).toBe('half\n');
    expect(prepared.checkpoint).toBeDefined();
    // The task runs again and completes normally.
    const again = await resumed.prepare(interrupted, { runId: 'run-c', attempt: 2 });
    await repo.write('edit.txt', 'after\n');
    const completed = await resumed.complete(interrupted, again, { message: 'Interrupted task, again' });
    expect(completed.filesChanged).toEqual(['edit.txt']);
    await resumed.end({ isSuccess: true });
  });

  it('still rolls a task back without checkpoint refs when createCheckpoints is off', async () => {
    const repo = await repository({ 'a.txt': 'a\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'shared', createCheckpoints: false });
    await workspace.begin({ runId: 'run-n', isResume: false, allowDirty: false });
    const t = task('t');
    const prepared = await workspace.prepare(t, { runId: 'run-n', attempt: 1 });
    expect(prepared.checkpointRef).toBeUndefined();
    expect(await new RollbackManager({ projectDir: repo.root }).listCheckpoints()).toEqual([]);
    await repo.write('a.txt', 'changed\n');
    await workspace.discard(t, prepared, { isRollback: true, reason: 'failed' });
    expect((await repo.read('a.txt')).toString()).toBe('a\n');
    await workspace.end({ isSuccess: false });
  });

  it('reverts a task whose commit already landed, keeping later work', async () => {
    const repo = await repository({ 'one.txt': '1\n', 'two.txt': '2\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    await workspace.begin({ runId: 'run-r', isResume: false, allowDirty: false });
    const first = task('first');
    const preparedFirst = await workspace.prepare(first, { runId: 'run-r', attempt: 1 });
    await repo.write('one.txt', '1 by first\n');
    await workspace.complete(first, preparedFirst, { message: 'First' });
    const second = task('second');
    const preparedSecond = await workspace.prepare(second, { runId: 'run-r', attempt: 1 });
    await repo.write('two.txt', '2 by second\n');
    await workspace.complete(second, preparedSecond, { message: 'Second' });
    await workspace.discard(first, preparedFirst, { isRollback: true, reason: 'verification failed after merge' });
    expect((await repo.read('one.txt')).toString()).toBe('1\n');
    expect((await repo.read('two.txt')).toString()).toBe('2 by second\n');
    expect((await log(repo))[0]).toBe('Revert task first: verification failed after merge');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: false });
  });

  it('refuses a directory that is not a repository and an unfinished merge', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const plain = await mkdtemp(join(tmpdir(), 'qoder-orch-plain-'));
    const notRepo = await createGitWorkspace({ projectDir: plain, isolation: 'shared' })
      .begin({ runId: 'x', isResume: false, allowDirty: false })
      .catch((error: unknown) => error);
    await rm(plain, { recursive: true, force: true });
    expect(OrchestratorError.isInstance(notRepo) && notRepo.fix).toContain('git init');

    const repo = await repository({ 'f.txt': 'base\n' });
    await repo.git(['checkout', '-q', '-b', 'other']);
    await repo.write('f.txt', 'other\n');
    await repo.commitAll('other');
    await repo.git(['checkout', '-q', 'main']);
    await repo.write('f.txt', 'main\n');
    await repo.commitAll('main');
    await repo.git(['merge', 'other']).catch(() => undefined);
    const merging = await createGitWorkspace({ projectDir: repo.root, isolation: 'shared' })
      .begin({ runId: 'y', isResume: false, allowDirty: true })
      .catch((error: unknown) => error);
    expect(OrchestratorError.isInstance(merging) && merging.code).toBe('DIRTY_WORKTREE');
    expect((merging as OrchestratorError).fix).toContain('--abort');
  });
});
