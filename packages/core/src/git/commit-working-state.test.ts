import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitWorkingState, LARGE_INDEX_BYTES } from './commit-working-state';
import { type GitSpawn, observeGitSpawns, runGit } from './git-client';
import { knownTreeOf } from './git-files';
import { DEFAULT_GIT_IDENTITY } from './git-identity';
import { createTemporaryRepository, writeFilesForIndexOf } from './testing/temporary-repository';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A repository with a worktree on branch `task` outside it, as a pool slot holds a task. */
async function worktreeOnBranch(): Promise<{ root: string; worktree: string; base: string }> {
  const repo = await createTemporaryRepository({ 'a.txt': 'a\n', 'b.txt': 'b\n', '.gitignore': 'build/\n' });
  const folder = await mkdtemp(join(tmpdir(), 'qoder-orch-commit-state-'));
  cleanups.push(repo.cleanup, () => rm(folder, { recursive: true, force: true }));
  const worktree = join(folder, 'slot');
  await repo.git(['worktree', 'add', '-q', '-b', 'task', worktree, 'HEAD']);
  return { root: repo.root, worktree, base: (await repo.git(['rev-parse', 'HEAD'])).trim() };
}

const message = 'Task title\n\n# not a comment: kept verbatim\n';

describe('commitWorkingState', () => {
  it("commits changes, deletions and new files (not ignored ones) on the worktree's branch with `add -A` and one `commit`, no hook run", async () => {
    const { root, worktree, base } = await worktreeOnBranch();
    await writeFile(join(worktree, 'a.txt'), 'a changed\n');
    await rm(join(worktree, 'b.txt'));
    await writeFile(join(worktree, 'c.txt'), 'c\n');
    await mkdir(join(worktree, 'build'));
    await writeFile(join(worktree, 'build', 'out.js'), 'ignored\n');
    // A hook the agent could have written: our commit never runs it.
    const hooks = (await runGit(root, ['rev-parse', '--git-common-dir'])).trim();
    await writeFile(join(root, hooks, 'hooks', 'post-commit'), `#!/bin/sh\ntouch "${join(root, 'hook-ran')}"\n`, { mode: 0o755 });
    const spawns: GitSpawn[] = [];
    const stop = observeGitSpawns((spawn) => spawns.push(spawn));
    const committed = await commitWorkingState(worktree, { branch: 'task', message, identity: DEFAULT_GIT_IDENTITY });
    stop();
    expect(spawns.map((spawn) => spawn.args.find((arg) => arg === 'add' || arg === 'commit'))).toEqual(['add', 'commit']);
    expect(committed).toMatchObject({ isChanged: true, head: base });
    const commit = (committed as { commit: string }).commit;
    expect((await runGit(root, ['rev-parse', 'refs/heads/task'])).trim()).toBe(commit);
    expect((await runGit(worktree, ['symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/task');
    expect((await runGit(root, ['log', '-1', '--format=%P%n%an <%ae>', commit])).trim()).toBe(`${base}\n${DEFAULT_GIT_IDENTITY.name} <${DEFAULT_GIT_IDENTITY.email}>`);
    expect(await runGit(root, ['cat-file', '-p', commit]).then((text) => text.slice(text.indexOf('\n\n') + 2))).toBe(message);
    expect((await runGit(root, ['diff-tree', '-r', '--name-status', '--no-renames', base, commit])).trim().split('\n')).toEqual(['M\ta.txt', 'D\tb.txt', 'A\tc.txt']);
    // The tree was read from the loose commit object, as git has it.
    expect(knownTreeOf(commit)).toBe((await runGit(root, ['rev-parse', `${commit}^{tree}`])).trim());
    expect(await stat(join(root, 'hook-ran')).catch(() => undefined)).toBeUndefined();
    expect((await runGit(worktree, ['status', '--porcelain'])).trim()).toBe('');
  });

  it('answers unchanged with the branch left where it was when there is nothing to commit', async () => {
    const { root, worktree, base } = await worktreeOnBranch();
    await writeFile(join(worktree, 'build', 'out.js'), 'ignored\n').catch(async () => {
      await mkdir(join(worktree, 'build'));
      await writeFile(join(worktree, 'build', 'out.js'), 'ignored\n');
    });
    expect(await commitWorkingState(worktree, { branch: 'task', message, identity: DEFAULT_GIT_IDENTITY })).toEqual({ isChanged: false, head: base });
    expect((await runGit(root, ['rev-parse', 'refs/heads/task'])).trim()).toBe(base);
  });

  it('commits nothing and moves no ref when HEAD is not on the branch, or the index is locked', async () => {
    const { root, worktree, base } = await worktreeOnBranch();
    await writeFile(join(worktree, 'c.txt'), 'c\n');
    // The agent switched to a branch of its own: not ours to commit on.
    await runGit(worktree, ['switch', '-q', '-c', 'agent-branch']);
    expect(await commitWorkingState(worktree, { branch: 'task', message, identity: DEFAULT_GIT_IDENTITY })).toBeUndefined();
    expect((await runGit(root, ['rev-parse', 'refs/heads/agent-branch'])).trim()).toBe(base);
    await runGit(worktree, ['switch', '-q', 'task']);
    const gitDir = (await runGit(worktree, ['rev-parse', '--absolute-git-dir'])).trim();
    await writeFile(join(gitDir, 'index.lock'), '');
    expect(await commitWorkingState(worktree, { branch: 'task', message, identity: DEFAULT_GIT_IDENTITY })).toBeUndefined();
    expect((await runGit(root, ['rev-parse', 'refs/heads/task'])).trim()).toBe(base);
  });
  it('leaves a large index to the caller (write-tree and an in-process commit cost less there than `git commit`): no process, no ref moved', async () => {
    const { root, worktree, base } = await worktreeOnBranch();
    await writeFilesForIndexOf(worktree, LARGE_INDEX_BYTES);
    await runGit(worktree, ['add', '-A']);
    await runGit(worktree, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'many files']);
    const grown = (await runGit(worktree, ['rev-parse', 'HEAD'])).trim();
    expect(grown).not.toBe(base);
    expect((await stat(join(root, '.git', 'worktrees', 'slot', 'index'))).size).toBeGreaterThan(LARGE_INDEX_BYTES);
    await writeFile(join(worktree, 'a.txt'), 'changed\n');
    const spawns: GitSpawn[] = [];
    const stop = observeGitSpawns((spawn) => spawns.push(spawn));
    try {
      expect(await commitWorkingState(worktree, { branch: 'task', message, identity: DEFAULT_GIT_IDENTITY })).toBeUndefined();
    } finally {
      stop();
    }
    expect(spawns).toEqual([]);
    expect((await runGit(root, ['rev-parse', 'refs/heads/task'])).trim()).toBe(grown);
    expect((await runGit(worktree, ['status', '--porcelain'])).trim()).toBe('M a.txt');
  });
});
