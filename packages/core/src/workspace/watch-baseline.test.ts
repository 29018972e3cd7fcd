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
});
