import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultWorktreeRoot, initRepository, isGitRepository, OrchestratorError, observeGitSpawns, WorktreeManager } from '../index';
import { runGit } from './git-client';
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
  it('adds a worktree per task on its own branch, lists it, and releases it to the pool keeping its work', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root });
    const worktree = await manager.add('run-1', 'task.one', base);
    // The first slot of the pool, which lives beside the runs' folders.
    expect(worktree).toMatchObject({ branch: 'qoder-orch/run-1/task.one', base, path: join(manager.poolDirectory, '1') });
    expect(manager.poolDirectory).toBe(join(manager.directory, '.pool'));
    expect(await isGitRepository(worktree.path)).toBe(true);
    expect(await manager.list()).toEqual([{ path: worktree.path, runId: 'run-1', taskId: 'task.one', branch: worktree.branch, head: base, isLocked: false, isPrunable: false, isPoolSlot: true }]);
    // The main tree does not see the private directory.
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await writeFile(join(worktree.path, 'work.txt'), 'unfinished\n');
    const removed = await manager.remove('run-1', 'task.one', { label: 'test' });
    expect(removed.leftoverRef).toBe('refs/qoder-orch/leftovers/run-1/task.one/test');
    expect(await repo.git(['show', `${removed.leftoverRef}:work.txt`])).toBe('unfinished\n');
    // The slot stays, idle (detached at the work it holds), for the next task.
    const [idle] = await manager.list();
    expect(idle).toMatchObject({ path: worktree.path, runId: '', taskId: '', isPoolSlot: true });
    expect(idle?.branch).toBeUndefined();
    expect(idle?.head).toBe((await repo.git(['rev-parse', removed.leftoverRef ?? ''])).trim());
    // A second attempt reuses the slot, reset to its base; the first attempt's work is not kept twice.
    const again = await manager.add('run-1', 'task.one', base);
    expect(again.path).toBe(worktree.path);
    expect(await exists(join(again.path, 'work.txt'))).toBe(false);
    await writeFile(join(again.path, 'work.txt'), 'second try\n');
    expect(await manager.remove('run-1', 'task.one', { label: 'test' })).toEqual({ leftoverRef: 'refs/qoder-orch/leftovers/run-1/task.one/test-2' });
    expect(await repo.git(['show', `${removed.leftoverRef}:work.txt`])).toBe('unfinished\n');
    expect((await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/'])).trim().split('\n')).toEqual([removed.leftoverRef, 'refs/qoder-orch/leftovers/run-1/task.one/test-2']);
    expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('');
  });

  it('lists the worktrees once for a burst of starts in a new process, taking the idle slots that listing showed (a slot taken since is not given twice)', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const first = new WorktreeManager({ projectDir: repo.root });
    const tasks = ['t1', 't2', 't3', 't4'];
    for (const task of tasks) await first.add('run-1', task, base);
    for (const task of tasks) await first.remove('run-1', task);
    // A new run (a new manager, as a new process has): four idle slots on disk.
    const second = new WorktreeManager({ projectDir: repo.root });
    const lists: string[] = [];
    let isTakenElsewhere = false;
    const stop = observeGitSpawns((spawn) => {
      if (spawn.args[0] === 'worktree' && spawn.args[1] === 'list') lists.push(spawn.cwd);
      if (isTakenElsewhere || spawn.args[0] !== 'checkout' || lists.length !== 1) return;
      isTakenElsewhere = true;
      // Once the listing is read (the first slot being reset), slot 3 is taken by someone else: no longer idle in git's files, it is not handed out.
      execFileSync('git', ['checkout', '-q', '-b', 'qoder-orch/other-run/busy'], { cwd: join(first.poolDirectory, '3') });
    });
    const added = [];
    try {
      for (const task of tasks) added.push(await second.add('run-2', task, base));
    } finally {
      stop();
    }
    expect(added.map((worktree) => relative(second.poolDirectory, worktree.path))).toEqual(['1', '2', '4', '5']);
    // One listing for the idle slots; the fourth start found none left idle and listed again to make a new one.
    expect(lists).toHaveLength(2);
  });

  it("takes the idle slots the run's clean-up listed without listing the worktrees again", async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const first = new WorktreeManager({ projectDir: repo.root });
    for (const task of ['t1', 't2']) await first.add('run-1', task, base);
    for (const task of ['t1', 't2']) await first.remove('run-1', task);
    // A new run's begin cleans leftovers (one listing); its first tasks then take the idle slots it saw.
    const second = new WorktreeManager({ projectDir: repo.root });
    await second.cleanLeftovers();
    const lists: string[] = [];
    const stop = observeGitSpawns((spawn) => {
      if (spawn.args[0] === 'worktree' && spawn.args[1] === 'list') lists.push(spawn.cwd);
    });
    const added = [];
    try {
      for (const task of ['t1', 't2']) added.push(await second.add('run-2', task, base));
    } finally {
      stop();
    }
    expect(added.map((worktree) => relative(second.poolDirectory, worktree.path))).toEqual(['1', '2']);
    expect(lists).toHaveLength(0);
  });

  it('releases a clean, merged slot without keeping anything, and resets a slot a crashed run left on its task', async () => {
    const repo = await createTemporaryRepository();
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root });
    await manager.add('run-1', 'clean', base);
    expect(await manager.remove('run-1', 'clean')).toEqual({});
    const old = await manager.add('old-run', 'crashed-task', base);
    await writeFile(join(old.path, 'left.txt'), 'left behind\n');
    const current = await manager.add('current', 't', base);
    expect(current.path).not.toBe(old.path);
    // A new process (the next run) finds the slot on the crashed run's branch.
    const next = new WorktreeManager({ projectDir: repo.root });
    const kept = await next.cleanLeftovers({ keepRunId: 'current' });
    expect(kept).toEqual(['refs/qoder-orch/leftovers/old-run/crashed-task/crashed']);
    expect(await repo.git(['show', `${kept[0]}:left.txt`])).toBe('left behind\n');
    expect((await next.list()).map((worktree) => [worktree.path, worktree.runId, worktree.branch])).toEqual([
      [old.path, '', undefined],
      [current.path, 'current', 'qoder-orch/current/t'],
    ]);
    expect(await repo.git(['branch', '--list', 'qoder-orch/old-run/*'])).toBe('');
    // Its next task gets it reset, without the crashed task's file and without keeping it again.
    const reused = await next.add('next', 'u', base);
    expect(reused.path).toBe(old.path);
    expect(await exists(join(reused.path, 'left.txt'))).toBe(false);
    expect((await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/'])).trim()).toBe(kept[0]);
  });

  it('reuses a slot rewriting only the files that differ, cleaning build output but not the preserved paths', async () => {
    const repo = await createTemporaryRepository({ 'same.txt': 'same\n', 'changes.txt': 'one\n', '.gitignore': 'dist/\nnode_modules/\n' });
    repositories.push(repo);
    const first = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root, preservedPaths: ['node_modules'] });
    const slot = await manager.add('run', 'first', first);
    // What a provisioner would put there: ignored, kept by the reset.
    await mkdir(join(slot.path, 'node_modules', 'dep'), { recursive: true });
    await writeFile(join(slot.path, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    await repo.write('changes.txt', 'two\n');
    const second = await repo.commitAll('second');
    const untouched = await stat(join(slot.path, 'same.txt'));
    const rewritten = await stat(join(slot.path, 'changes.txt'));
    await mkdir(join(slot.path, 'dist'));
    await writeFile(join(slot.path, 'dist', 'bundle.js'), 'built by the first task\n');
    await writeFile(join(slot.path, 'scratch.txt'), 'untracked\n');
    expect(await manager.remove('run', 'first')).toEqual({ leftoverRef: 'refs/qoder-orch/leftovers/run/first/removed' });
    // Written in the idle slot after its task was released (a straggler): kept when the slot is reset.
    await writeFile(join(slot.path, 'late.txt'), 'late\n');
    const reused = await manager.add('run', 'second', second);
    expect(await repo.git(['show', 'refs/qoder-orch/leftovers/run/pool-1/found-in-slot:late.txt'])).toBe('late\n');
    expect(await repo.git(['show', 'refs/qoder-orch/leftovers/run/first/removed:scratch.txt'])).toBe('untracked\n');
    expect(reused.path).toBe(slot.path);
    expect((await stat(join(reused.path, 'node_modules', 'dep', 'index.js'))).isFile()).toBe(true);
    expect(await readFile(join(reused.path, 'changes.txt'), 'utf8')).toBe('two\n');
    const same = await stat(join(reused.path, 'same.txt'));
    expect([same.ino, same.mtimeMs]).toEqual([untouched.ino, untouched.mtimeMs]);
    expect((await stat(join(reused.path, 'changes.txt'))).mtimeMs).not.toBe(rewritten.mtimeMs);
    expect(await exists(join(reused.path, 'dist'))).toBe(false);
    expect(await exists(join(reused.path, 'scratch.txt'))).toBe(false);
    expect(await runGit(reused.path, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/qoder-orch/run/second\n');
  });

  it('releases a slot after its task commit without looking again, its branch deleted with the next release; the reset cleans ignored output, and only then', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n', '.gitignore': 'dist/\nnode_modules/\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root, preservedPaths: ['node_modules'] });
    const spawns: string[][] = [];
    const stop = observeGitSpawns((spawn) => spawns.push([...spawn.args]));
    try {
      const first = await manager.add('run', 'first', base);
      await mkdir(join(first.path, 'node_modules'));
      await writeFile(join(first.path, 'node_modules', 'dep.js'), 'kept\n');
      await mkdir(join(first.path, 'dist'));
      await writeFile(join(first.path, 'dist', 'out.js'), 'build output\n');
      // The task's commit (what the workspace writes from the slot's working state).
      await writeFile(join(first.path, 'a.txt'), 'changed\n');
      await runGit(first.path, ['add', 'a.txt']);
      await runGit(first.path, ['commit', '-q', '-m', 'task']);
      const committed = (await runGit(first.path, ['rev-parse', 'HEAD'])).trim();
      await repo.git(['merge', '-q', '--ff-only', committed]);
      spawns.length = 0;
      expect(await manager.remove('run', 'first', { committed })).toEqual({});
      // One git process: the detach. The branch waits for the next release.
      expect(spawns.map((args) => args.slice(0, 3).join(' '))).toEqual(['update-ref -m qoder-orch: slot idle']);
      expect(await runGit(first.path, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('HEAD\n');
      expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('  qoder-orch/run/first\n');
      // The next task in the slot: ignored build output goes, the preserved folder stays.
      const second = await manager.add('run', 'second', base);
      expect(second.path).toBe(first.path);
      expect(await exists(join(second.path, 'dist'))).toBe(false);
      expect(await readFile(join(second.path, 'node_modules', 'dep.js'), 'utf8')).toBe('kept\n');
      expect(await readFile(join(second.path, 'a.txt'), 'utf8')).toBe('a\n');
      spawns.length = 0;
      expect(await manager.remove('run', 'second', { committed: base })).toEqual({});
      // The first task's branch went in the second release's transaction (no status, no second ref update; ancestry of
      // a commit made by hand may be asked); the second's goes at the end of the run.
      expect(spawns.filter((args) => args[0] !== 'merge-base').map((args) => args.slice(0, 3).join(' '))).toEqual(['update-ref -m qoder-orch: slot idle']);
      expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('  qoder-orch/run/second\n');
      // A slot holding nothing but its preserved paths is reset without `git clean`.
      spawns.length = 0;
      const third = await manager.add('run', 'third', base);
      expect(spawns.filter((args) => args[0] === 'clean')).toEqual([]);
      expect(await readFile(join(third.path, 'node_modules', 'dep.js'), 'utf8')).toBe('kept\n');
      // A branch moved after its release (by hand) is not the run's to delete any more: the next release goes on without it.
      await repo.git(['branch', '-f', 'qoder-orch/run/second', 'HEAD']);
      await manager.remove('run', 'third');
      expect(await runGit(third.path, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('HEAD\n');
      expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('  qoder-orch/run/second\n');
    } finally {
      stop();
    }
  });

  it('prepares two tasks at once in two slots, and retires a slot with a failed task out of the pool', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const manager = new WorktreeManager({ projectDir: repo.root });
    const [left, right] = await Promise.all([manager.add('run', 'left', base), manager.add('run', 'right', base)]);
    expect([left.path, right.path].sort()).toEqual([join(manager.poolDirectory, '1'), join(manager.poolDirectory, '2')]);
    await writeFile(join(right.path, 'failed.txt'), 'kept for inspection\n');
    const retired = await manager.retire('run', 'right');
    expect(retired).toBe(manager.pathOf('run', 'right'));
    expect(await readFile(join(retired ?? '', 'failed.txt'), 'utf8')).toBe('kept for inspection\n');
    expect(await exists(right.path)).toBe(false);
    await manager.remove('run', 'left');
    // The pool adds a slot where the retired one was when it needs two again.
    const [one, two] = await Promise.all([manager.add('run2', 'a', base), manager.add('run2', 'b', base)]);
    expect([one.path, two.path].sort()).toEqual([left.path, right.path].sort());
    expect((await manager.list()).filter((worktree) => worktree.isPoolSlot !== true).map((worktree) => worktree.path)).toEqual([retired]);
    // Removing the idle pool (nothing running) keeps its work first.
    await manager.remove('run2', 'a');
    await manager.remove('run2', 'b');
    await writeFile(join(manager.poolDirectory, '1', 'stray.txt'), 'stray\n');
    const pruned = await new WorktreeManager({ projectDir: repo.root }).cleanLeftovers({ label: 'pruned', isRemovingIdlePool: true });
    expect(pruned).toContain('refs/qoder-orch/leftovers/pool/1/pruned');
    expect(await manager.list()).toEqual([]);
    expect(await exists(manager.poolDirectory)).toBe(false);
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
    expect(relative(join(root, 'not-yet'), worktree.path).split('/')).toEqual([expect.stringMatching(/^qoder-orch-repo-.+-[0-9a-f]{12}$/), '.pool', '1']);
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
