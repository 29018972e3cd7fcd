import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace, OrchestratorError } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { writeMergeIntent } from './merge-intent';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

describe('git workspace, crashed runs', () => {
  it('puts back git configuration and hooks changed during a run that died before its end', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const gitDir = join(repo.root, '.git');
    const config = await readFile(join(gitDir, 'config'), 'utf8');
    const dead = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    await dead.begin({ runId: 'dead', isResume: false, allowDirty: false });
    // An agent of the dead run planted these; the run never reached its end.
    execFileSync('git', ['config', 'alias.co', '!touch planted'], { cwd: repo.root });
    await writeFile(join(gitDir, 'hooks', 'post-checkout'), '#!/bin/sh\ntouch planted\n', { mode: 0o755 });

    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    const begun = await workspace.begin({ runId: 'next', isResume: false, allowDirty: false });
    expect(begun.warnings.join('\n')).toContain('Git configuration changed during run dead, which did not finish, is put back: alias.co added');
    expect(begun.warnings.join('\n')).toContain('Git hooks changed during run dead, which did not finish, are put back: hooks/post-checkout added');
    expect(await readFile(join(gitDir, 'config'), 'utf8')).toBe(config);
    await expect(readFile(join(gitDir, 'hooks', 'post-checkout'))).rejects.toThrow();
    await workspace.end({ isSuccess: true });
    await expect(readFile(join(gitDir, 'qoder-orch', 'guard.json'))).rejects.toThrow();
  });

  it('undoes a merge that updated the files but died before moving the branch', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'before\n' });
    repositories.push(repo);
    const from = (await repo.git(['rev-parse', 'HEAD'])).trim();
    // The merge the crashed run was making: a commit with a new file and an edit.
    await repo.git(['checkout', '-q', '-b', 'scratch']);
    await repo.write('a.txt', 'merged\n');
    await repo.write('b.txt', 'new from the merge\n');
    const to = await repo.commitAll('merge result');
    await repo.git(['checkout', '-q', 'main']);
    await repo.git(['branch', '-q', '-D', 'scratch']);
    await writeMergeIntent(join(repo.root, '.git'), { runId: 'dead', taskId: 't', from, to });
    await repo.git(['read-tree', '-m', '-u', from, to]);
    expect((await repo.read('b.txt')).toString()).toBe('new from the merge\n');

    const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'worktree' });
    const begun = await workspace.begin({ runId: 'next', isResume: false, allowDirty: false });
    expect(begun.warnings.join('\n')).toContain('interrupted merge of task t');
    expect((await repo.read('a.txt')).toString()).toBe('before\n');
    await expect(repo.read('b.txt')).rejects.toThrow();
    expect((await repo.git(['rev-parse', 'HEAD'])).trim()).toBe(from);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await workspace.end({ isSuccess: true });
  });

  it('refuses a second run while another live process holds the run lock, and takes over a dead one', async () => {
    const repo = await createTemporaryRepository();
    repositories.push(repo);
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const { hostname } = await import('node:os');
      await mkdir(join(repo.root, '.git', 'qoder-orch'), { recursive: true });
      const lock = join(repo.root, '.git', 'qoder-orch', 'run.lock');
      await writeFile(lock, JSON.stringify({ runId: 'other', pid: sleeper.pid, host: hostname(), startedAt: '' }));
      const refused = await createGitWorkspace({ projectDir: repo.root, isolation: 'shared' })
        .begin({ runId: 'mine', isResume: false, allowDirty: false })
        .catch((error: unknown) => error);
      expect(OrchestratorError.isInstance(refused) && refused.message).toContain('Another qoder-orch run (other');
      sleeper.kill();
      await new Promise((resolve) => sleeper.once('exit', resolve));
      const workspace = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
      const begun = await workspace.begin({ runId: 'mine', isResume: false, allowDirty: false });
      expect(begun.warnings.join('\n')).toContain('Run other stopped without finishing');
      await workspace.end({ isSuccess: true });
    } finally {
      sleeper.kill();
    }
  });

  it('puts back user work set aside by a run that crashed, when the next run begins', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    await repo.write('a.txt', 'my edit\n');
    await repo.write('mine.txt', 'mine\n');
    const userFiles = await repo.files();
    const crashed = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    await crashed.begin({ runId: 'crashed', isResume: false, allowDirty: true });
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    // The run dies; a new run (not a resume) starts.
    const next = createGitWorkspace({ projectDir: repo.root, isolation: 'shared' });
    const refused = await next.begin({ runId: 'next', isResume: false, allowDirty: false }).catch((error: unknown) => error);
    // The work came back first, so the new run sees a dirty tree and refuses it, losing nothing.
    expect(OrchestratorError.isInstance(refused) && refused.code).toBe('DIRTY_WORKTREE');
    expect(await repo.files()).toEqual(userFiles);
  });
});
