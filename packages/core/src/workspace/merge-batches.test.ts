import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, observeGitSpawns, type Task, TaskSchema, type VerificationResult } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

const task = (id: string): Task => TaskSchema.parse({ id, title: id, agent: 'coder' });

describe('the merge queue of isolation worktree', () => {
  it('merges tasks that committed while a merge ran in one move of the head, in completion order, keeping a conflicting one apart', async () => {
    const repo = await createTemporaryRepository({ 'shared.txt': 'line 1\nline 2\nline 3\n', 'other.txt': 'other\n' });
    repositories.push(repo);
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-b', isResume: false, allowDirty: false });
    const [zero, first, second, third] = [task('zero'), task('first'), task('second'), task('third')];
    const prepared = new Map<Task, Awaited<ReturnType<typeof workspace.prepare>>>();
    for (const each of [zero, first, second, third]) prepared.set(each, await workspace.prepare(each, { runId: 'run-b', attempt: 1 }));
    const cwd = (each: Task) => prepared.get(each)?.cwd as string;
    await writeFile(join(cwd(zero), 'zero.txt'), 'zero\n');
    await writeFile(join(cwd(first), 'shared.txt'), 'line 1\nline 2 by first\nline 3\n');
    await writeFile(join(cwd(second), 'shared.txt'), 'line 1\nline 2 by second\nline 3\n');
    await writeFile(join(cwd(third), 'other.txt'), 'other by third\n');

    // zero's checks after its merge hold the merge queue while the others commit.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let isVerifying: () => void = () => {};
    const verifying = new Promise<void>((resolve) => (isVerifying = resolve));
    const verifyAfterMerge = async (): Promise<VerificationResult[]> => {
      isVerifying();
      await gate;
      return [];
    };
    const zeroDone = workspace.complete(zero, prepared.get(zero)!, { message: 'Zero', verifyAfterMerge });
    await verifying;
    const committedOrder: string[] = [];
    const pending: Array<ReturnType<typeof workspace.complete>> = [];
    for (const each of [first, second, third]) {
      // One after another: the completion order is first, second, third.
      await new Promise<void>((resolve) => {
        pending.push(
          workspace.complete(each, prepared.get(each)!, {
            message: each.id,
            onCommitted: () => {
              committedOrder.push(each.id);
              resolve();
            },
          }),
        );
      });
    }
    expect(committedOrder).toEqual(['first', 'second', 'third']);
    const moves: string[] = [];
    const stop = observeGitSpawns((spawn) => {
      if (spawn.args.includes('read-tree')) moves.push(spawn.args.join(' '));
    });
    openGate();
    const [completedZero, completedFirst, completedSecond, completedThird] = await Promise.all([zeroDone, ...pending]);
    stop();

    // first and third landed with one move of the head; second conflicted with first and is kept.
    expect(moves).toHaveLength(1);
    expect(completedZero?.commit).toBeDefined();
    expect(completedSecond?.conflict?.files).toEqual(['shared.txt']);
    expect(completedSecond?.conflict?.ref).toBe('refs/qoder-orch/leftovers/run-b/second/conflict');
    expect(await repo.git(['rev-parse', 'refs/qoder-orch/leftovers/run-b/second/conflict'])).toBe(await repo.git(['rev-parse', completedSecond?.taskCommit ?? '']));
    const head = (await repo.git(['rev-parse', 'HEAD'])).trim();
    expect(head).toBe(completedThird?.commit);
    // Each task its own merge commit, chained in completion order: third's onto first's onto zero's.
    expect((await repo.git(['rev-parse', `${completedThird?.commit}^1`])).trim()).toBe(completedFirst?.commit);
    expect((await repo.git(['rev-parse', `${completedFirst?.commit}^1`])).trim()).toBe(completedZero?.commit);
    expect((await repo.git(['rev-parse', `${completedThird?.commit}^2`])).trim()).toBe(completedThird?.taskCommit);
    expect((await repo.read('shared.txt')).toString()).toBe('line 1\nline 2 by first\nline 3\n');
    expect((await repo.read('other.txt')).toString()).toBe('other by third\n');
    expect((await repo.read('zero.txt')).toString()).toBe('zero\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    // The landed refs moved with the head; the landed tasks' branches went in the same transaction, the conflicting one's stays.
    expect((await repo.git(['rev-parse', 'refs/qoder-orch/merges/run-b/first'])).trim()).toBe(completedFirst?.commit);
    expect((await repo.git(['rev-parse', 'refs/qoder-orch/merges/run-b/third'])).trim()).toBe(completedThird?.commit);
    // (The branch of zero's merge check, released last, goes with the next release or at the run's end.)
    const branches = (await repo.git(['branch', '--list', '--format=%(refname:short)', 'qoder-orch/*'])).trim().split('\n');
    expect(branches.filter((branch) => branch !== 'qoder-orch/run-b/_merge-check')).toEqual(['qoder-orch/run-b/second']);
    await workspace.end({ isSuccess: true });
    expect(await repo.git(['branch', '--list', 'qoder-orch/run-b/_merge-check'])).toBe('');
  });

  it('lets a task start while a merge is computed: it starts from the head before the merge, and both land', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    repositories.push(repo);
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-s', isResume: false, allowDirty: false });
    const before = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const [first, second] = [task('first'), task('second')];
    const preparedFirst = await workspace.prepare(first, { runId: 'run-s', attempt: 1 });
    await writeFile(join(preparedFirst.cwd, 'a.txt'), 'a by first\n');
    // The moment first's merge is being computed, second asks to start.
    let secondPrepared: ReturnType<typeof workspace.prepare> | undefined;
    const stop = observeGitSpawns((spawn) => {
      if (spawn.args[0] === 'merge-tree' && secondPrepared === undefined) secondPrepared = workspace.prepare(second, { runId: 'run-s', attempt: 1 });
    });
    const firstDone = await workspace.complete(first, preparedFirst, { message: 'First' });
    stop();
    const preparedSecond = await (secondPrepared as ReturnType<typeof workspace.prepare>);
    // It did not wait for the merge: its base is the head the merge started from.
    expect(preparedSecond.baseCommit).toBe(before);
    expect((await repo.git(['rev-parse', 'HEAD'])).trim()).toBe(firstDone.commit);
    await writeFile(join(preparedSecond.cwd, 'b.txt'), 'b by second\n');
    const secondDone = await workspace.complete(second, preparedSecond, { message: 'Second' });
    expect((await repo.git(['rev-parse', `${secondDone.commit}^1`])).trim()).toBe(firstDone.commit);
    expect((await repo.read('a.txt')).toString()).toBe('a by first\n');
    expect((await repo.read('b.txt')).toString()).toBe('b by second\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: true });
  });

  it('merges onto the head as it is when the head moved while the merge was computed', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n', 'notes.txt': 'notes\n' });
    repositories.push(repo);
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-m', isResume: false, allowDirty: false });
    const only = task('only');
    const prepared = await workspace.prepare(only, { runId: 'run-m', attempt: 1 });
    await writeFile(join(prepared.cwd, 'a.txt'), 'a by the task\n');
    // While the task's merge is computed (outside the git queue), a commit lands on the branch the run works on.
    let moved: string | undefined;
    const gitIn = (args: string[]) =>
      execFileSync('git', args, { cwd: repo.root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@example.com', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@example.com' } }).trim();
    const stop = observeGitSpawns((spawn) => {
      if (spawn.args[0] !== 'merge-tree' || moved !== undefined) return;
      const tree = gitIn(['write-tree']);
      moved = gitIn(['commit-tree', tree, '-p', 'HEAD', '-m', 'Moved meanwhile']);
      gitIn(['update-ref', 'HEAD', moved]);
    });
    const done = await workspace.complete(only, prepared, { message: 'Only' });
    stop();
    expect(moved).toBeDefined();
    // The merge was made again on the moved head: nothing of it is lost, and the task's work landed.
    expect((await repo.git(['rev-parse', `${done.commit}^1`])).trim()).toBe(moved);
    expect((await repo.git(['rev-parse', 'HEAD'])).trim()).toBe(done.commit);
    expect((await repo.read('a.txt')).toString()).toBe('a by the task\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: true });
  });
});
