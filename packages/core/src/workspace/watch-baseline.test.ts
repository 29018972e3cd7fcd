import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, type GitSpawn, observeGitSpawns, type RepositoryTampering, TaskSchema } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

const isCheckoutLook = (spawn: GitSpawn, root: string) => spawn.cwd === root && spawn.args.includes('--no-optional-locks') && spawn.args.includes('status');

describe('the watch on the project checkout (isolation worktree)', () => {
  it('takes its baseline when the first task starts: what was written before is the run’s, what a running task writes there is taken out', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const tampering: RepositoryTampering[] = [];
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree', linkDependencies: false });
    const spawns: GitSpawn[] = [];
    const stop = observeGitSpawns((spawn) => spawns.push(spawn));
    await workspace.begin({ runId: 'run-w', isResume: false, allowDirty: false, onTampering: (found) => tampering.push(found) });
    stop();
    // The begin does not look at the checkout for the watch (the first start does, with no task running: the same state).
    expect(spawns.filter((spawn) => isCheckoutLook(spawn, repo.root)).map((spawn) => spawn.args.join(' '))).toEqual([]);
    // Written while no task runs (a check of the run's, or by hand): not a task's doing.
    await writeFile(join(repo.root, 'before.txt'), 'written before any task\n');
    const task = TaskSchema.parse({ id: 'one', title: 'one', agent: 'coder' });
    const prepared = await workspace.prepare(task, { runId: 'run-w', attempt: 1 });
    await writeFile(join(prepared.cwd, 'work.txt'), 'in the worktree\n');
    await writeFile(join(repo.root, 'stray.txt'), 'written in the checkout while the task ran\n');
    await workspace.complete(task, prepared, { message: 'One' });
    expect(tampering.map((found) => [found.kind, found.changes, found.taskIds])).toEqual([['outside-worktree', ['stray.txt'], ['one']]]);
    expect(await readFile(join(repo.root, 'before.txt'), 'utf8')).toBe('written before any task\n');
    expect(await readFile(join(repo.root, 'work.txt'), 'utf8')).toBe('in the worktree\n');
    await expect(readFile(join(repo.root, 'stray.txt'), 'utf8')).rejects.toThrow();
    await workspace.end({ isSuccess: true });
  });
  it('looks once per merged task (the look before the move of the head), and on its own for a task with nothing to merge', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const tampering: RepositoryTampering[] = [];
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree', linkDependencies: false });
    await workspace.begin({ runId: 'run-l', isResume: false, allowDirty: false, onTampering: (found) => tampering.push(found) });
    const spawns: GitSpawn[] = [];
    const stop = observeGitSpawns((spawn) => spawns.push(spawn));
    const looks = () => spawns.filter((spawn) => isCheckoutLook(spawn, repo.root)).length;
    const runTask = async (id: string, write: { inWorktree?: string; inCheckout?: string }) => {
      const task = TaskSchema.parse({ id, title: id, agent: 'coder' });
      const prepared = await workspace.prepare(task, { runId: 'run-l', attempt: 1 });
      if (write.inWorktree !== undefined) await writeFile(join(prepared.cwd, write.inWorktree), `${id}\n`);
      if (write.inCheckout !== undefined) await writeFile(join(repo.root, write.inCheckout), `${id}\n`);
      const before = looks();
      const completed = await workspace.complete(task, prepared, { message: id });
      return { completed, looks: looks() - before };
    };
    // Another task's agent runs all along: every look has someone to attribute a finding to.
    const other = TaskSchema.parse({ id: 'other', title: 'other', agent: 'coder' });
    const otherPrepared = await workspace.prepare(other, { runId: 'run-l', attempt: 1 });
    try {
      // Merged, nothing written in the checkout: one look, the one before the move.
      expect((await runTask('clean', { inWorktree: 'clean.txt' })).looks).toBe(1);
      // Merged, a file written in the checkout: found by that look, attributed to the task, taken out.
      await runTask('merged', { inWorktree: 'merged.txt', inCheckout: 'stray-1.txt' });
      // Nothing to merge (its worktree unchanged): no move, so a look of its own finds what it wrote in the checkout.
      const idle = await runTask('idle', { inCheckout: 'stray-2.txt' });
      expect(idle.completed.filesChanged).toEqual([]);
      expect(idle.looks).toBeGreaterThanOrEqual(1);
    } finally {
      stop();
    }
    await writeFile(join(otherPrepared.cwd, 'other.txt'), 'other\n');
    await workspace.complete(other, otherPrepared, { message: 'other' });
    expect(tampering.map((found) => [found.changes, found.taskIds])).toEqual([
      [['stray-1.txt'], ['merged', 'other']],
      [['stray-2.txt'], ['idle', 'other']],
    ]);
    for (const stray of ['stray-1.txt', 'stray-2.txt']) await expect(readFile(join(repo.root, stray), 'utf8')).rejects.toThrow();
    expect(await readFile(join(repo.root, 'merged.txt'), 'utf8')).toBe('merged\n');
    expect(await readFile(join(repo.root, 'other.txt'), 'utf8')).toBe('other\n');
    await workspace.end({ isSuccess: true });
  });
});
