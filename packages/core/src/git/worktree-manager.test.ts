import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultWorktreeRoot, initRepository, isGitRepository, OrchestratorError, WorktreeManager } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
let folders: string[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  repositories = [];
  folders = [];
});
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('WorktreeManager', () => {
  it('adds a worktree per task on its own branch, lists it, and removes it keeping its work', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root });
    const worktree = await manager.add('run-1', 'task.one', base);
    expect(worktree).toMatchObject({ branch: 'qoder-orch/run-1/task.one', base, path: join(manager.directory, 'run-1', 'task.one') });
    expect(await isGitRepository(worktree.path)).toBe(true);
    expect(await manager.list()).toEqual([{ path: worktree.path, runId: 'run-1', taskId: 'task.one', branch: worktree.branch, head: base, isLocked: false, isPrunable: false }]);
    // The main tree does not see the private directory.
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await writeFile(join(worktree.path, 'work.txt'), 'unfinished\n');
    const removed = await manager.remove('run-1', 'task.one', { label: 'test' });
    expect(removed.leftoverRef).toBe('refs/qoder-orch/leftovers/run-1/task.one/test');
    expect(await repo.git(['show', `${removed.leftoverRef}:work.txt`])).toBe('unfinished\n');
    expect(await exists(worktree.path)).toBe(false);
    expect(await manager.list()).toEqual([]);
    // A second attempt's leftovers never overwrite the first's.
    const again = await manager.add('run-1', 'task.one', base);
    await writeFile(join(again.path, 'work.txt'), 'second try\n');
    expect(await manager.remove('run-1', 'task.one', { label: 'test' })).toEqual({ leftoverRef: 'refs/qoder-orch/leftovers/run-1/task.one/test-2' });
    expect(await repo.git(['show', `${removed.leftoverRef}:work.txt`])).toBe('unfinished\n');
    expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('');
  });

  it('removes a clean, merged worktree without keeping anything, and cleans locked leftovers of other runs', async () => {
    const repo = await createTemporaryRepository();
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root });
    await manager.add('run-1', 'clean', base);
    expect(await manager.remove('run-1', 'clean')).toEqual({});
    const old = await manager.add('old-run', 'locked', base);
    await repo.git(['worktree', 'lock', old.path]);
    await writeFile(join(old.path, 'left.txt'), 'left behind\n');
    const current = await manager.add('current', 't', base);
    const kept = await manager.cleanLeftovers({ keepRunId: 'current' });
    expect(kept).toEqual(['refs/qoder-orch/leftovers/old-run/locked/crashed']);
    expect(await exists(old.path)).toBe(false);
    expect(await exists(current.path)).toBe(true);
  });

  it('initialises a repository with an empty first commit, and leaves an existing one alone', async () => {
    const repo = await createTemporaryRepository();
    repositories.push(repo);
    const head = await repo.git(['rev-parse', 'HEAD']);
    expect(await initRepository(repo.root)).toBe(repo.root);
    expect(await repo.git(['rev-parse', 'HEAD'])).toBe(head);
    const fresh = join(repo.root, '.qoder-orch', 'fresh');
    expect(await isGitRepository(fresh)).toBe(false);
    await initRepository(fresh);
    expect(await isGitRepository(fresh)).toBe(true);
  });

  it('puts worktrees in the user cache folder by default, never inside the repository', () => {
    expect(defaultWorktreeRoot({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, 'linux')).toBe('/x/cache/qoder-orch/worktrees');
    // A relative XDG_CACHE_HOME is invalid by the spec and ignored.
    expect(defaultWorktreeRoot({ XDG_CACHE_HOME: 'cache', HOME: '/home/u' }, 'linux')).toBe('/home/u/.cache/qoder-orch/worktrees');
    expect(defaultWorktreeRoot({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Caches/qoder-orch/worktrees');
  });

  it('uses a configured worktree root, one folder per repository, and refuses one inside the repository', async () => {
    const repo = await createTemporaryRepository();
    const other = await createTemporaryRepository();
    repositories.push(repo, other);
    const root = await mkdtemp(join(tmpdir(), 'qoder-orch-roots-'));
    folders.push(root);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root, worktreeRoot: join(root, 'not-yet') });
    const worktree = await manager.add('r', 't', base);
    expect(relative(join(root, 'not-yet'), worktree.path).split('/')).toEqual([expect.stringMatching(/^qoder-orch-repo-.+-[0-9a-f]{12}$/), 'r', 't']);
    expect(new WorktreeManager({ projectDir: other.root, worktreeRoot: join(root, 'not-yet') }).directory).not.toBe(manager.directory);
    // Git and the project see nothing of it.
    expect(await repo.git(['status', '--porcelain', '--ignored'])).toBe('');
    await manager.remove('r', 't');
    // No empty run folder is left behind either.
    expect(await exists(join(manager.directory, 'r'))).toBe(false);
    for (const inside of [repo.root, join(repo.root, 'build', 'worktrees')]) {
      let error: unknown;
      try {
        new WorktreeManager({ projectDir: repo.root, worktreeRoot: inside });
      } catch (caught) {
        error = caught;
      }
      expect(OrchestratorError.isInstance(error) && error.code).toBe('CONFIG_INVALID');
    }
  });

  it('still lists and cleans worktrees an earlier version left inside the project, keeping their work', async () => {
    const repo = await createTemporaryRepository();
    repositories.push(repo);
    await writeFile(join(repo.root, '.git', 'info', 'exclude'), '/.qoder-orch/\n');
    const legacy = join(repo.root, '.qoder-orch', 'worktrees', 'old-run', 'task');
    await mkdir(join(legacy, '..'), { recursive: true });
    await repo.git(['worktree', 'add', '-q', '-b', 'qoder-orch/old-run/task', legacy, 'HEAD']);
    await writeFile(join(legacy, 'old.test.mjs'), 'half-written\n');
    const manager = new WorktreeManager({ projectDir: repo.root });
    expect((await manager.list()).map((worktree) => [worktree.runId, worktree.taskId])).toEqual([['old-run', 'task']]);
    expect(await manager.cleanLeftovers({ onlyRunId: 'another-run' })).toEqual([]);
    expect(await exists(legacy)).toBe(true);
    const kept = await manager.cleanLeftovers({ onlyRunId: 'old-run' });
    expect(kept).toEqual(['refs/qoder-orch/leftovers/old-run/task/crashed']);
    expect(await repo.git(['show', `${kept[0]}:old.test.mjs`])).toBe('half-written\n');
    expect(await exists(legacy)).toBe(false);
    expect(await manager.list()).toEqual([]);
  });
});
