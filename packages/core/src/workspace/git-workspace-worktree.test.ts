import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, type Task, TaskSchema, type VerificationResult, WorktreeManager } from '../index';
import { conflictChangeLanded } from './conflict-landed';
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
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The idle slots of the repository's worktree pool (and nothing else may be listed). */
async function idleSlots(root: string): Promise<string[]> {
  const listed = await new WorktreeManager({ projectDir: root }).list();
  expect(listed.filter((worktree) => worktree.isPoolSlot !== true || worktree.branch !== undefined)).toEqual([]);
  return listed.map((worktree) => worktree.path).sort();
}

/** A worktree workspace begun for `runId` on a new repository, with task `id` prepared and `file` written in its worktree. */
async function begunWithTask(runId: string, id: string, file: string, content: string, files: Record<string, string> = { 'a.txt': 'a\n' }) {
  const repo = await repository(files);
  const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
  await workspace.begin({ runId, isResume: false, allowDirty: false });
  const begun = task(id);
  const prepared = await workspace.prepare(begun, { runId, attempt: 1 });
  await writeFile(join(prepared.cwd, file), content);
  return { repo, workspace, task: begun, prepared };
}

/** A verification that reads the merged tree, the way a re-run test command would. */
function verifyThat(file: string, expected: string, calls: string[]) {
  return async (cwd: string): Promise<VerificationResult[]> => {
    const content = await readFile(join(cwd, file), 'utf8').catch(() => '');
    calls.push(`${file}@${cwd}`);
    return [{ command: ['check', file], exitCode: content === expected ? 0 : 1, passed: content === expected, isTimedOut: false, durationMs: 0, outputTail: content, phase: 'merge' }];
  };
}

describe('git workspace, worktree isolation', () => {
  it('runs two tasks in their own worktrees and merges both through the queue', async () => {
    const repo = await repository({ 'shared.txt': 'line 1\nline 2\nline 3\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    expect(workspace.isIsolated).toBe(true);
    const begun = await workspace.begin({ runId: 'run-w', isResume: false, allowDirty: false });
    const left = task('left');
    const right = task('right');
    const [preparedLeft, preparedRight] = await Promise.all([workspace.prepare(left, { runId: 'run-w', attempt: 1 }), workspace.prepare(right, { runId: 'run-w', attempt: 1 })]);
    expect(preparedLeft.cwd).not.toBe(repo.root);
    // Outside the project tree, in a slot of this repository's worktree pool.
    expect([preparedLeft.cwd, preparedRight.cwd].sort()).toEqual(['1', '2'].map((slot) => join(new WorktreeManager({ projectDir: repo.root }).poolDirectory, slot)));
    expect(relative(repo.root, preparedLeft.cwd).startsWith('..')).toBe(true);
    expect(preparedLeft.branch).toBe('qoder-orch/run-w/left');
    expect(preparedLeft.baseCommit).toBe(begun.baseCommit);
    // Each agent writes in its own directory and does not see the other's files.
    await writeFile(join(preparedLeft.cwd, 'left.txt'), 'from left\n');
    await writeFile(join(preparedRight.cwd, 'right.txt'), 'from right\n');
    expect(await exists(join(preparedLeft.cwd, 'right.txt'))).toBe(false);
    expect(await exists(join(repo.root, 'left.txt'))).toBe(false);
    expect(await workspace.changedFiles(preparedLeft)).toEqual(['left.txt']);

    const calls: string[] = [];
    const [completedLeft, completedRight] = await Promise.all([
      workspace.complete(left, preparedLeft, { message: 'Left side', verifyAfterMerge: verifyThat('left.txt', 'from left\n', calls) }),
      workspace.complete(right, preparedRight, { message: 'Right side', verifyAfterMerge: verifyThat('right.txt', 'from right\n', calls) }),
    ]);
    for (const completed of [completedLeft, completedRight]) {
      expect(completed.conflict).toBeUndefined();
      expect(completed.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(completed.mergeVerification?.[0]?.passed).toBe(true);
      // A merge commit per task: first parent the integration head, second the task's own commit.
      const parents = (await repo.git(['show', '-s', '--format=%P', completed.commit ?? ''])).trim().split(' ');
      expect(parents).toHaveLength(2);
      expect(parents[1]).toBe(completed.taskCommit);
    }
    expect(completedLeft.filesChanged).toEqual(['left.txt']);
    expect(completedRight.filesChanged).toEqual(['right.txt']);
    // Verification ran on the integration tree after each merge, in a pool slot checked out at the merge, not in the project checkout.
    const pool = new WorktreeManager({ projectDir: repo.root }).poolDirectory;
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call.slice(call.indexOf('@') + 1).startsWith(`${pool}/`)).toBe(true);
    expect((await repo.read('left.txt')).toString()).toBe('from left\n');
    expect((await repo.read('right.txt')).toString()).toBe('from right\n');
    expect((await repo.git(['rev-parse', 'refs/qoder-orch/merges/run-w/left'])).trim()).toBe(completedLeft.commit);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(await repo.git(['symbolic-ref', 'HEAD'])).toBe('refs/heads/main\n');
    // Cleaned up after success: only idle pool slots, detached at the task's commit; the task branch of the slot released
    // first went with the second release, the last one waits for the next release or the end of the run.
    expect(await idleSlots(repo.root)).toEqual([preparedLeft.cwd, preparedRight.cwd].sort());
    // Each detached at what it last held: a task's commit, or a merge a check ran on.
    const held = [completedLeft.taskCommit, completedRight.taskCommit, completedLeft.commit, completedRight.commit];
    for (const slot of [preparedLeft.cwd, preparedRight.cwd]) expect(held).toContain((await repo.git(['-C', slot, 'rev-parse', 'HEAD'])).trim());
    expect((await repo.git(['branch', '--list', 'qoder-orch/*'])).trim().split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
    await workspace.end({ isSuccess: true });
    expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('');
  });

  it('merges four parallel tasks run by an agent in their worktrees, one merge commit each', async () => {
    const repo = await repository({ 'README.md': 'r\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-4', isResume: false, allowDirty: false });
    const tasks = ['api', 'web', 'docs', 'cli'].map((id) => task(id));
    const seen: Record<string, string[]> = {};
    const provider = new MockAgentProvider({ runTask: (options) => ({ type: 'success', files: { [`${options.taskId}.ts`]: `// ${options.taskId}\n` } }) });
    const results = await Promise.all(
      tasks.map(async (each) => {
        const prepared = await workspace.prepare(each, { runId: 'run-4', attempt: 1 });
        await provider.doRunTask({ taskId: each.id, prompt: 'work', cwd: prepared.cwd });
        return workspace.complete(each, prepared, {
          message: `Task ${each.id}`,
          verifyAfterMerge: async (cwd) => {
            seen[each.id] = (await repo.git(['ls-files']))
              .trim()
              .split('\n')
              .filter((path) => path !== 'README.md');
            // A worktree of the pool at the merge: what it holds is what the head holds.
            expect(cwd.startsWith(`${new WorktreeManager({ projectDir: repo.root }).poolDirectory}/`)).toBe(true);
            expect((await repo.git(['-C', cwd, 'rev-parse', 'HEAD'])).trim()).toBe((await repo.git(['rev-parse', 'HEAD'])).trim());
            return [];
          },
        });
      }),
    );
    expect(results.map((result) => result.conflict)).toEqual([undefined, undefined, undefined, undefined]);
    const merges = (await repo.git(['log', '--merges', '--format=%H'])).trim().split('\n');
    expect(merges.sort()).toEqual(results.map((result) => result.commit).sort());
    // Each verification saw its own task merged, on top of those merged before it.
    for (const each of tasks) expect(seen[each.id]).toContain(`${each.id}.ts`);
    expect(
      Object.values(seen)
        .map((files) => files.length)
        .sort(),
    ).toEqual([1, 2, 3, 4]);
    // Four slots at most were in use at once, all idle again.
    expect(await idleSlots(repo.root)).toHaveLength(4);
    await workspace.end({ isSuccess: true });
  });

  it('reports a real conflict with its files, lands no markers and keeps the integration tree', async () => {
    const repo = await repository({ 'shared.txt': 'line 1\nline 2\nline 3\n', 'other.txt': 'other\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-x', isResume: false, allowDirty: false });
    const first = task('first');
    const second = task('second');
    const preparedFirst = await workspace.prepare(first, { runId: 'run-x', attempt: 1 });
    const preparedSecond = await workspace.prepare(second, { runId: 'run-x', attempt: 1 });
    await writeFile(join(preparedFirst.cwd, 'shared.txt'), 'line 1\nline 2 by first\nline 3\n');
    await writeFile(join(preparedSecond.cwd, 'shared.txt'), 'line 1\nline 2 by second\nline 3\n');
    await writeFile(join(preparedSecond.cwd, 'other.txt'), 'other by second\n');
    const completedFirst = await workspace.complete(first, preparedFirst, { message: 'First' });
    expect(completedFirst.commit).toBeDefined();
    const headBefore = await repo.git(['rev-parse', 'HEAD']);
    const filesBefore = await repo.files();
    const calls: string[] = [];
    const completedSecond = await workspace.complete(second, preparedSecond, { message: 'Second', verifyAfterMerge: verifyThat('shared.txt', '', calls) });
    expect(completedSecond.conflict).toEqual({ files: ['shared.txt'], branch: 'qoder-orch/run-x/second', ref: 'refs/qoder-orch/leftovers/run-x/second/conflict', baseCommit: preparedSecond.baseCommit });
    // The work is kept at a ref the user and a resolving task are told about.
    expect(await repo.git(['rev-parse', 'refs/qoder-orch/leftovers/run-x/second/conflict'])).toBe(await repo.git(['rev-parse', completedSecond.taskCommit ?? '']));
    expect(completedSecond.commit).toBeUndefined();
    expect(completedSecond.filesChanged.sort()).toEqual(['other.txt', 'shared.txt']);
    expect(calls).toEqual([]);
    expect(await repo.git(['rev-parse', 'HEAD'])).toBe(headBefore);
    expect(await repo.files()).toEqual(filesBefore);
    expect((await repo.read('shared.txt')).toString()).not.toContain('<<<<<<<');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(await exists(join(repo.root, '.git', 'MERGE_HEAD'))).toBe(false);
    // The conflicted task's work stays on its branch for a resolution task; a failed run keeps it.
    expect(await repo.git(['show', 'qoder-orch/run-x/second:shared.txt'])).toBe('line 1\nline 2 by second\nline 3\n');
    const ended = await workspace.end({ isSuccess: false });
    // Kept for inspection out of the pool, where the user is told to look.
    const keptWorktree = new WorktreeManager({ projectDir: repo.root }).pathOf('run-x', 'second');
    expect(ended?.keptWorktrees).toEqual([keptWorktree]);
    expect(await readFile(join(keptWorktree, 'shared.txt'), 'utf8')).toBe('line 1\nline 2 by second\nline 3\n');
    // Its slot went back to the pool when its work was committed (before the merge found the conflict): idle there.
    expect((await repo.git(['-C', preparedSecond.cwd, 'rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('HEAD');

    // The next run cleans the leftovers, keeping their work under a ref.
    const next = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    const begun = await next.begin({ runId: 'run-y', isResume: false, allowDirty: false });
    expect(begun.warnings.join('\n')).toContain('refs/qoder-orch/leftovers/run-x/second');
    expect(await exists(keptWorktree)).toBe(false);
    expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('');
    const keptRefs = (await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/run-x/second/'])).trim().split('\n');
    expect(keptRefs).toContain('refs/qoder-orch/leftovers/run-x/second/conflict');
    const kept = keptRefs.find((ref) => !ref.endsWith('/conflict')) ?? '';
    expect(await repo.git(['show', `${kept}:shared.txt`])).toBe('line 1\nline 2 by second\nline 3\n');
    await next.end({ isSuccess: true });
  });

  it('gives a conflict-resolution task the conflicted branch, refusing to merge while markers remain', async () => {
    const repo = await repository({ 'shared.txt': 'line 1\nline 2\nline 3\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-fix', isResume: false, allowDirty: false });
    const first = task('first');
    const second = task('second');
    const preparedFirst = await workspace.prepare(first, { runId: 'run-fix', attempt: 1 });
    const preparedSecond = await workspace.prepare(second, { runId: 'run-fix', attempt: 1 });
    await writeFile(join(preparedFirst.cwd, 'shared.txt'), 'line 1\nline 2 by first\nline 3\n');
    await writeFile(join(preparedSecond.cwd, 'shared.txt'), 'line 1\nline 2 by second\nline 3\n');
    await workspace.complete(first, preparedFirst, { message: 'First' });
    const conflicted = await workspace.complete(second, preparedSecond, { message: 'Second' });
    expect(conflicted.conflict).toEqual({ files: ['shared.txt'], branch: 'qoder-orch/run-fix/second', ref: 'refs/qoder-orch/leftovers/run-fix/second/conflict', baseCommit: preparedSecond.baseCommit });

    const resolve = task('second-resolve');
    const preparedResolve = await workspace.prepare(resolve, { runId: 'run-fix', attempt: 1, mergeBranch: conflicted.conflict?.branch ?? '' });
    // The markers are in the resolution task's own worktree only.
    expect(await readFile(join(preparedResolve.cwd, 'shared.txt'), 'utf8')).toContain('<<<<<<< ');
    expect((await repo.read('shared.txt')).toString()).toBe('line 1\nline 2 by first\nline 3\n');
    const kept = { cwd: repo.root, ref: conflicted.conflict?.ref ?? '', baseCommit: conflicted.conflict?.baseCommit ?? '' };
    expect(await conflictChangeLanded(kept)).toEqual({ isLanded: false, missing: ['shared.txt'] });
    const unresolved = await workspace.complete(resolve, preparedResolve, { message: 'Resolve' });
    expect(unresolved.conflict).toMatchObject({ files: ['shared.txt'], hasMarkers: true });
    expect(unresolved.commit).toBeUndefined();
    expect((await repo.read('shared.txt')).toString()).not.toContain('<<<<<<<');
    await writeFile(join(preparedResolve.cwd, 'shared.txt'), 'line 1\nline 2 by first and second\nline 3\n');
    const resolved = await workspace.complete(resolve, preparedResolve, { message: 'Resolve' });
    expect(resolved.conflict).toBeUndefined();
    expect((await repo.read('shared.txt')).toString()).toBe('line 1\nline 2 by first and second\nline 3\n');
    // The resolution rewrote the conflicting line, merging the kept work in: it landed.
    expect(await conflictChangeLanded(kept)).toEqual({ isLanded: true, missing: [] });
    // The conflicted task's commit is now part of the history; discarding it keeps nothing extra.
    expect(
      await repo.git(['merge-base', '--is-ancestor', conflicted.taskCommit ?? '', 'HEAD']).then(
        () => true,
        () => false,
      ),
    ).toBe(true);
    await workspace.discard(second, preparedSecond, { isRollback: true, reason: 'resolved by second-resolve' });
    expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: true });
  });

  it('verifies each merge before the next one lands, without blocking new tasks, and reverts a merge that failed it', async () => {
    const repo = await repository({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-v', isResume: false, allowDirty: false });
    const first = task('first');
    const second = task('second');
    const third = task('third');
    const preparedFirst = await workspace.prepare(first, { runId: 'run-v', attempt: 1 });
    const preparedSecond = await workspace.prepare(second, { runId: 'run-v', attempt: 1 });
    await writeFile(join(preparedFirst.cwd, 'a.txt'), 'a by first\n');
    await writeFile(join(preparedSecond.cwd, 'b.txt'), 'b by second\n');
    const observed: string[] = [];
    let secondCompletion: Promise<unknown> | undefined;
    const completedFirst = await workspace.complete(first, preparedFirst, {
      message: 'First',
      verifyAfterMerge: async (cwd) => {
        const headDuringVerification = (await repo.git(['rev-parse', 'HEAD'])).trim();
        // Another task finishes while this verification runs: its merge must wait.
        secondCompletion = workspace.complete(second, preparedSecond, { message: 'Second' });
        // A new task can still start (the git queue is free), from the integration head.
        const preparedThird = await workspace.prepare(third, { runId: 'run-v', attempt: 1 });
        observed.push(`third based on ${preparedThird.baseCommit === headDuringVerification ? 'merged head' : 'something else'}`);
        observed.push(`head unchanged: ${(await repo.git(['rev-parse', 'HEAD'])).trim() === headDuringVerification}`);
        observed.push(`b.txt: ${(await readFile(join(cwd, 'b.txt'), 'utf8')).trim()}`);
        return [{ command: ['test'], exitCode: 1, passed: false, isTimedOut: false, durationMs: 0, outputTail: 'broke the build', phase: 'merge' }];
      },
    });
    expect(observed).toEqual(['third based on merged head', 'head unchanged: true', 'b.txt: b']);
    expect(completedFirst.mergeVerification?.[0]?.passed).toBe(false);
    await secondCompletion;
    expect((await repo.read('b.txt')).toString()).toBe('b by second\n');
    // The orchestrator rolls the failed merge back: a revert commit, since another merge landed on top.
    await workspace.discard(first, preparedFirst, { isRollback: true, reason: 'verification failed after merge' });
    expect((await repo.read('a.txt')).toString()).toBe('a\n');
    expect((await repo.read('b.txt')).toString()).toBe('b by second\n');
    expect(await repo.git(['log', '-1', '--format=%s'])).toBe('Revert task first: verification failed after merge\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: false });
  });

  it('runs the checks after a merge in a worktree of their own: git work of other tasks meanwhile changes nothing in the folder they walk, and what they write stays out of the project checkout', async () => {
    const { repo, workspace, task: first, prepared: preparedFirst } = await begunWithTask('run-q', 'first', 'a.txt', 'a by first\n', { 'a.txt': 'a\n', 'test/a.test.js': '// a test\n' });
    const other = task('other');
    /** Every path under `folder`, the way a test runner that walks its folder (Node 20's `node --test`) sees it. */
    const walk = async (folder: string, prefix = ''): Promise<string[]> => {
      const found: string[] = [];
      for (const entry of await readdir(join(folder, prefix), { withFileTypes: true })) {
        const path = join(prefix, entry.name);
        found.push(path);
        if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...(await walk(folder, path)));
      }
      return found.sort();
    };
    let checkedIn = '';
    let environment: Readonly<Record<string, string>> | undefined;
    const completed = await workspace.complete(first, preparedFirst, {
      message: 'First',
      verifyAfterMerge: async (cwd, given) => {
        checkedIn = cwd;
        environment = given;
        const before = await walk(cwd);
        // Another task starts meanwhile: its slot is reset, its checkpoint written (git work in the shared git directory).
        const preparedOther = await workspace.prepare(other, { runId: 'run-q', attempt: 1 });
        await writeFile(join(preparedOther.cwd, 'other.txt'), 'other\n');
        const after = await walk(cwd);
        await writeFile(join(cwd, 'coverage.json'), '{}\n');
        const merged = (await readFile(join(cwd, 'a.txt'), 'utf8')).trim();
        const isSame = before.join('\n') === after.join('\n');
        return [{ command: ['walk'], exitCode: isSame ? 0 : 1, passed: isSame && merged === 'a by first', isTimedOut: false, durationMs: 0, outputTail: `${merged}`, phase: 'merge' }];
      },
    });
    expect(completed.mergeVerification?.[0]?.passed).toBe(true);
    expect(checkedIn).not.toBe(repo.root);
    expect((await stat(join(checkedIn, '.git'))).isFile()).toBe(true);
    // Its own slot's ports, not those of the task's slot (another task may hold that one by now).
    expect(environment?.['QODER_ORCH_SLOT']).toBe(String(Number(checkedIn.split('/').at(-1)) - 1));
    expect(await exists(join(repo.root, 'coverage.json'))).toBe(false);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: true });
    expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('');
  });

  it('sets a dirty tree aside for the run and puts it back on top of the merges', async () => {
    const repo = await repository({ 'a.txt': 'a\n', 'notes.md': 'notes\n' });
    await repo.write('notes.md', 'notes with my edit\n');
    await repo.write('draft.txt', 'draft\n');
    const userFiles = await repo.files();
    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await workspace.begin({ runId: 'run-dirty', isResume: false, allowDirty: true });
    const t = task('t');
    const prepared = await workspace.prepare(t, { runId: 'run-dirty', attempt: 1 });
    // The agent works from the last commit, never on the user's uncommitted edits.
    expect(await readFile(join(prepared.cwd, 'notes.md'), 'utf8')).toBe('notes\n');
    expect(await exists(join(prepared.cwd, 'draft.txt'))).toBe(false);
    await writeFile(join(prepared.cwd, 'a.txt'), 'a by the task\n');
    await workspace.complete(t, prepared, { message: 'Task' });
    const ended = await workspace.end({ isSuccess: true });
    expect(ended?.warnings).toEqual([]);
    expect(await repo.files()).toEqual({ ...userFiles, 'a.txt': expect.any(String) });
    expect((await repo.read('a.txt')).toString()).toBe('a by the task\n');
    expect(await repo.git(['log', '-1', '--format=%s', 'HEAD^2'])).toBe('Task\n');
  });

  it('rolls back a worktree task without touching the integration tree, keeping its work', async () => {
    const { repo, workspace, task: failing, prepared } = await begunWithTask('run-rb', 'failing', 'a.txt', 'broken\n');
    await workspace.discard(failing, prepared, { isRollback: true, reason: 'gave up' });
    expect(await idleSlots(repo.root)).toEqual([prepared.cwd]);
    expect((await repo.read('a.txt')).toString()).toBe('a\n');
    const kept = (await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/run-rb/failing/'])).trim();
    expect(await repo.git(['show', `${kept}:a.txt`])).toBe('broken\n');
    // A second attempt gets the slot back, reset to the integration head.
    const retry = await workspace.prepare(failing, { runId: 'run-rb', attempt: 2 });
    expect(retry.cwd).toBe(prepared.cwd);
    expect(await readFile(join(retry.cwd, 'a.txt'), 'utf8')).toBe('a\n');
    await writeFile(join(retry.cwd, 'a.txt'), 'fixed\n');
    const completed = await workspace.complete(failing, retry, { message: 'Fixed' });
    expect(completed.filesChanged).toEqual(['a.txt']);
    expect((await repo.read('a.txt')).toString()).toBe('fixed\n');
    await workspace.end({ isSuccess: true });
  });

  it('recovers an interrupted worktree task on resume, keeping its work', async () => {
    const { repo, prepared } = await begunWithTask('run-k', 'interrupted', 'half.txt', 'half\n');
    const resumed = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await resumed.begin({ runId: 'run-k', isResume: true, allowDirty: false });
    // Resuming the same run keeps its worktrees until recover decides.
    expect(await exists(prepared.cwd)).toBe(true);
    await resumed.recover([{ taskId: 'interrupted', worktree: prepared.worktree ?? '' }]);
    // Its slot is back in the pool, its task's branch gone.
    expect(await idleSlots(repo.root)).toEqual([prepared.cwd]);
    const kept = (await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/run-k/interrupted/'])).trim();
    expect(await repo.git(['show', `${kept}:half.txt`])).toBe('half\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await resumed.end({ isSuccess: true });
  });

  it('gives back the slot of a merge check a kill interrupted, on resume', async () => {
    const { repo, workspace: crashed, task: first, prepared } = await begunWithTask('run-m', 'first', 'a.txt', 'a by first\n');
    let checkSlot = '';
    let kill = () => {};
    const killed = new Promise<void>((resolve) => (kill = resolve));
    // The process "dies" while the merge check runs: the check never returns.
    void crashed.complete(first, prepared, {
      message: 'First',
      verifyAfterMerge: async (cwd) => {
        checkSlot = cwd;
        await writeFile(join(cwd, 'check-output.txt'), 'written by the check\n');
        kill();
        return new Promise<never>(() => {});
      },
    });
    await killed;
    expect((await repo.git(['-C', checkSlot, 'symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/qoder-orch/run-m/_merge-check');
    const resumed = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await resumed.begin({ runId: 'run-m', isResume: true, allowDirty: false });
    await resumed.recover([]);
    // Back in the pool, detached; its branch gone; what the check wrote kept under a leftover ref.
    expect(await idleSlots(repo.root)).toContain(checkSlot);
    expect(await repo.git(['branch', '--list', 'qoder-orch/run-m/_merge-check'])).toBe('');
    const kept = (await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/run-m/_merge-check/'])).trim();
    expect(await repo.git(['show', `${kept}:check-output.txt`])).toBe('written by the check\n');
    await resumed.end({ isSuccess: true });
  });

  it('keeps the work of a task killed between its commit and its merge (its slot already back in the pool), for the resumed run', async () => {
    const repo = await repository({ 'a.txt': 'a\n' });
    const crashed = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await crashed.begin({ runId: 'run-c', isResume: false, allowDirty: false });
    const committed = task('committed');
    const prepared = await crashed.prepare(committed, { runId: 'run-c', attempt: 1 });
    await writeFile(join(prepared.cwd, 'done.txt'), 'done\n');
    const headBefore = await repo.git(['rev-parse', 'HEAD']);
    // The orchestrator dies right after the commit: the slot was given back, the merge never queued.
    const died = crashed.complete(committed, prepared, {
      message: 'committed',
      onCommitted: () => {
        throw new Error('killed');
      },
    });
    await expect(died).rejects.toThrow('killed');
    expect(await repo.git(['rev-parse', 'HEAD'])).toBe(headBefore);
    expect((await repo.git(['-C', prepared.cwd, 'rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('HEAD');
    const resumed = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await resumed.begin({ runId: 'run-c', isResume: true, allowDirty: false });
    await resumed.recover([{ taskId: 'committed', worktree: prepared.worktree ?? '' }]);
    const kept = (await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/run-c/committed/'])).trim();
    expect(kept).not.toBe('');
    expect(await repo.git(['show', `${kept}:done.txt`])).toBe('done\n');
    expect(await repo.git(['branch', '--list', 'qoder-orch/*'])).toBe('');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await resumed.end({ isSuccess: true });
  });
});
