import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, type GitSpawn, observeGitSpawns, TaskSchema } from '../index';
import { createTemporaryRepository } from '../git/testing/temporary-repository';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const TASKS = 8;
const SLOTS = 4;
/**
 * Git processes one task may cost on the worktree path (with the run's begin and end shared
 * out), once the pool has its slots. It was 54 before the git layer read HEAD and refs from
 * git's files and stopped re-reading the checkout after its own merges; 26.5 once the ancestry of commits the run wrote
 * was known without git; 19.6 now (a slot's reset cleans only when its status lists something to clean, the task's
 * commit is `add -A` and `write-tree` in the worktree's own index, its release is two `update-ref`s without another
 * status, and tasks that commit while a merge runs land in one move of the head, their branches deleted in its transaction);
 * 19.9 with the afternoon's changes; 17.5 now that the task's commit is `add -A` and one `git commit` on its branch in the
 * worktree (tree, commit and the branch's move in one process) and its release one `update-ref` that detaches the slot;
 * 16.1–16.9 (batching varies with timing) once the begin's listing hands its idle slots to the first tasks, loose
 * commits' trees are read from their files, and a merge batch that ran no checks is not followed by a look at the checkout;
 * 14.75–15.1 once merge commits are written in-process (no `commit-tree`), a head's move refreshes the index only when
 * git refuses a stale entry, and checkpoint refs of tasks starting together go in one transaction.
 */
const SPAWNS_PER_TASK = 16;

/** One run of independent one-file tasks, `SLOTS` at a time, through the worktree workspace; answers the git processes it started. */
async function run(root: string, worktreeRoot: string, runId: string): Promise<GitSpawn[]> {
  const spawns: GitSpawn[] = [];
  const stop = observeGitSpawns((spawn) => spawns.push(spawn));
  try {
    const workspace = createGitWorkspace({ projectDir: root, isolation: 'worktree', worktreeRoot, linkDependencies: false });
    await workspace.begin({ runId, isResume: false, allowDirty: false });
    const queue = Array.from({ length: TASKS }, (_, index) => index);
    const worker = async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        const task = TaskSchema.parse({ id: `t${index}`, title: `t${index}`, agent: 'coder' });
        const prepared = await workspace.prepare(task, { runId, attempt: 1 });
        await writeFile(join(prepared.cwd, `${runId}-${index}.txt`), `${index}\n`);
        expect(await workspace.changedFiles(prepared)).toEqual([`${runId}-${index}.txt`]);
        const completed = await workspace.complete(task, prepared, { message: `task ${index}` });
        expect(completed.conflict).toBeUndefined();
      }
    };
    await Promise.all(Array.from({ length: SLOTS }, worker));
    await workspace.end({ isSuccess: true });
  } finally {
    stop();
  }
  return spawns;
}

describe('the git cost of a task', () => {
  it(`stays under ${SPAWNS_PER_TASK} git processes per task with worktree isolation, every task's work landed`, async () => {
    const repo = await createTemporaryRepository(Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`src/f${index}.js`, `// ${index}\n`])));
    await repo.commitAll('files');
    const worktreeRoot = await mkdtemp(join(tmpdir(), 'qoder-orch-cost-worktrees-'));
    cleanups.push(repo.cleanup, () => rm(worktreeRoot, { recursive: true, force: true }));
    // The first run makes the pool's slots; the second is what every later run costs.
    await run(repo.root, worktreeRoot, 'first');
    const spawns = await run(repo.root, worktreeRoot, 'second');
    const landed = (await repo.git(['diff', '--name-only', 'HEAD~16', 'HEAD'])).trim().split('\n').sort();
    expect(landed).toEqual([...Array.from({ length: TASKS }, (_, index) => `first-${index}.txt`), ...Array.from({ length: TASKS }, (_, index) => `second-${index}.txt`)].sort());
    const perTask = spawns.length / TASKS;
    expect(perTask, spawns.map((spawn) => spawn.args.slice(0, 3).join(' ')).join('\n')).toBeLessThanOrEqual(SPAWNS_PER_TASK);
    // Nothing lists every worktree per task any more: the slots this process handed out are found from git's files.
    expect(spawns.filter((spawn) => spawn.args[0] === 'worktree' && spawn.args[1] === 'list').length).toBeLessThanOrEqual(SLOTS + 1);
    // HEAD of the checkout is read from its files, not asked of git per task.
    expect(spawns.filter((spawn) => spawn.args.includes('HEAD^{commit}')).length).toBe(0);
  }, 180_000);
});
