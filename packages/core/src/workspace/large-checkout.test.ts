import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, type GitSpawn, observeGitSpawns, TaskSchema } from '../index';
import { LARGE_INDEX_BYTES } from '../git/commit-working-state';
import { createTemporaryRepository, writeFilesForIndexOf } from '../git/testing/temporary-repository';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('a checkout with a large index', () => {
  it("commits each task's work with write-tree and an in-process commit (no `git commit`), and lands every task", async () => {
    const repo = await createTemporaryRepository({ 'README.md': '# large\n' });
    cleanups.push(repo.cleanup);
    await writeFilesForIndexOf(repo.root, LARGE_INDEX_BYTES);
    await repo.commitAll('many files');
    const worktreeRoot = await mkdtemp(join(tmpdir(), 'qoder-orch-large-'));
    cleanups.push(() => rm(worktreeRoot, { recursive: true, force: true }));
    const spawns: GitSpawn[] = [];
    const stop = observeGitSpawns((spawn) => spawns.push(spawn));
    try {
      const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree', worktreeRoot, linkDependencies: false });
      await workspace.begin({ runId: 'large', isResume: false, allowDirty: false });
      await Promise.all(
        ['one', 'two', 'three'].map(async (id) => {
          const task = TaskSchema.parse({ id, title: id, agent: 'coder' });
          const prepared = await workspace.prepare(task, { runId: 'large', attempt: 1 });
          await writeFile(join(prepared.cwd, `${id}.txt`), `${id}\n`);
          await writeFile(join(prepared.cwd, 'README.md'), `# large\n`);
          expect((await workspace.complete(task, prepared, { message: `task ${id}` })).conflict).toBeUndefined();
        }),
      );
      await workspace.end({ isSuccess: true });
    } finally {
      stop();
    }
    expect(spawns.filter((spawn) => spawn.args.includes('commit'))).toEqual([]);
    expect(spawns.filter((spawn) => spawn.args[0] === 'write-tree').length).toBeGreaterThanOrEqual(3);
    expect((await repo.git(['diff', '--name-only', 'HEAD~3', 'HEAD'])).trim().split('\n').sort()).toEqual(['one.txt', 'three.txt', 'two.txt']);
    expect((await repo.git(['status', '--porcelain'])).trim()).toBe('');
  });
});
