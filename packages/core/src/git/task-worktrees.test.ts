import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, listTaskWorktrees, OrchestratorError, pruneTaskWorktrees, type Task, TaskSchema, type WorkspaceEndResult, WorktreeManager } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const task = (id: string): Task => TaskSchema.parse({ id, title: id, agent: 'backend-dev' });

describe('kept task worktrees, for the user', () => {
  it("lists a failed run's kept worktrees and prunes them keeping their work, never touching a run in progress", async () => {
    const repo = await createTemporaryRepository();
    repositories.push(repo);
    const failed = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await failed.begin({ runId: 'failed-run', isResume: false, allowDirty: false });
    const broken = task('broken');
    const prepared = await failed.prepare(broken, { runId: 'failed-run', attempt: 1 });
    await writeFile(join(prepared.cwd, 'half.txt'), 'half\n');
    await failed.discard(broken, prepared, { isRollback: false, reason: 'checks failed' });
    const ended = (await failed.end({ isSuccess: false })) as WorkspaceEndResult;
    // Retired from the pool to the run's folder, where the user is told to look.
    const keptPath = new WorktreeManager({ projectDir: repo.root }).pathOf('failed-run', 'broken');
    expect(ended.keptWorktrees).toEqual([keptPath]);
    expect(ended.warnings.join('\n')).toContain(keptPath);

    // A second run is in progress (its lock is held by this live process).
    const running = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree', linkDependencies: false });
    await running.begin({ runId: 'live-run', isResume: false, allowDirty: false });
    // Its begin cleaned the failed run's worktree already (work kept): add one back the way a crash would leave it.
    const live = await running.prepare(task('live'), { runId: 'live-run', attempt: 1 });
    expect((await listTaskWorktrees({ projectDir: repo.root })).map((worktree) => `${worktree.runId}/${worktree.taskId}`)).toEqual(['live-run/live']);
    await expect(pruneTaskWorktrees({ projectDir: repo.root, runId: 'live-run' })).rejects.toSatisfy((error) => OrchestratorError.isInstance(error) && /in progress/.test(error.message));
    const pruned = await pruneTaskWorktrees({ projectDir: repo.root });
    expect(pruned).toMatchObject({ removed: [], activeRunId: 'live-run' });
    expect(await exists(live.cwd)).toBe(true);
    const idle = await running.prepare(task('idle'), { runId: 'live-run', attempt: 1 });
    await running.complete(task('idle'), idle, { message: 'nothing' });
    const liveEnded = (await running.end({ isSuccess: false })) as WorkspaceEndResult;
    const [liveKept = ''] = liveEnded.keptWorktrees;

    // Once the run is over, its kept worktree goes, and its work stays in a leftover ref.
    await writeFile(join(liveKept, 'unfinished.txt'), 'unfinished\n');
    const after = await pruneTaskWorktrees({ projectDir: repo.root, runId: 'live-run' });
    expect(after.removed.map((worktree) => worktree.path)).toEqual([liveKept]);
    expect(after.keptRefs).toEqual(['refs/qoder-orch/leftovers/live-run/live/pruned']);
    expect(await repo.git(['show', 'refs/qoder-orch/leftovers/live-run/live/pruned:unfinished.txt'])).toBe('unfinished\n');
    expect(await exists(liveKept)).toBe(false);
    expect(await listTaskWorktrees({ projectDir: repo.root })).toEqual([]);
    // The idle pool is listed on request, and only a prune of every run (none in progress) removes it.
    expect((await listTaskWorktrees({ projectDir: repo.root, includeIdlePool: true })).map((worktree) => worktree.path)).toEqual([idle.worktree]);
    const all = await pruneTaskWorktrees({ projectDir: repo.root });
    expect(all.removed.map((worktree) => worktree.path)).toEqual([idle.worktree]);
    expect(await exists(idle.cwd)).toBe(false);
    expect(await listTaskWorktrees({ projectDir: repo.root, includeIdlePool: true })).toEqual([]);
    // The failed run's work, cleaned by the second run's begin, was kept too.
    expect((await repo.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/leftovers/failed-run/'])).trim()).not.toBe('');
  });

  it('runs the configured teardown in each provisioned worktree it removes, idle pool slots included', async () => {
    const repo = await createTemporaryRepository({ 'teardown.js': "require('fs').appendFileSync(process.argv[2], 'teardown ' + process.env.PORT + '\\n');\n" });
    repositories.push(repo);
    await repo.commitAll('teardown script');
    const outside = await mkdtemp(join(tmpdir(), 'qoder-orch-prune-teardown-'));
    const counter = join(outside, 'teardowns.txt');
    await writeFile(counter, '');
    const provision = { dependencies: 'none' as const, teardown: [['node', 'teardown.js', counter]] };
    try {
      const run = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree', provision });
      await run.begin({ runId: 'provisioned', isResume: false, allowDirty: false });
      const prepared = await run.prepare(task('one'), { runId: 'provisioned', attempt: 1 });
      await run.complete(task('one'), prepared, { message: 'nothing' });
      await run.end({ isSuccess: true });
      // The slot went back to the pool provisioned: nothing torn down yet.
      expect(await readFile(counter, 'utf8')).toBe('');
      const warnings: string[] = [];
      const pruned = await pruneTaskWorktrees({ projectDir: repo.root, provision, onWarning: (warning) => warnings.push(warning.code) });
      expect(pruned.removed.map((worktree) => worktree.path)).toEqual([prepared.worktree]);
      expect(await readFile(counter, 'utf8')).toBe('teardown 41000\n');
      expect(warnings).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
