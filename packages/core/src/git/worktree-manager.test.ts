import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initRepository, isGitRepository, WorktreeManager } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});
const exists = (path: string) => stat(path).then(() => true, () => false);

describe('WorktreeManager', () => {
  it('adds a worktree per task on its own branch, lists it, and removes it keeping its work', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root });
    const worktree = await manager.add('run-1', 'task.one', base);
    expect(worktree).toMatchObject({ branch: 'qoder-orch/run-1/task.one', base, path: join(repo.root, '.qoder-orch/worktrees/run-1/task.one') });
    expect(await isGitRepository(worktree.path)).toBe(true);
    expect(await manager.list()).toEqual([{ path: worktree.path, branch: worktree.branch, head: base, isLocked: false, isPrunable: false }]);
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
});
