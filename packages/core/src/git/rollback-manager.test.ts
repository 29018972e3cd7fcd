import { afterEach, describe, expect, it } from 'vitest';
import { OrchestratorError, RollbackManager } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

const binary = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0x89, 0x50, 0x4e, 0x47]);
let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

async function repositoryWithEverything(): Promise<TemporaryRepository> {
  const repository = await createTemporaryRepository({ 'src/a.ts': 'export const a = 1;\n', 'src/old-name.ts': 'renamed me\n', 'gone.txt': 'delete me\n' });
  repositories.push(repository);
  await repository.write('tool.sh', '#!/bin/sh\necho hi\n', { isExecutable: true });
  await repository.write('image.bin', binary);
  await repository.link('link-to-a', 'src/a.ts');
  await repository.write('.gitignore', 'ignored/\n');
  await repository.commitAll('everything');
  return repository;
}

/** The user's side of the repository that checkpoints must never change. */
async function userState(repository: TemporaryRepository) {
  return {
    head: await repository.git(['rev-parse', 'HEAD']),
    branch: await repository.git(['symbolic-ref', 'HEAD']),
    index: await repository.git(['ls-files', '-s', '--debug']).then((text) => text.replace(/\s+(ctime|mtime|dev|uid|gid|size|flags|ino):.*$/gm, '')),
    status: await repository.git(['status', '--porcelain=v1', '-z', '--untracked-files=all']),
    stash: await repository.git(['stash', 'list']),
    branches: await repository.git(['branch', '--list']),
  };
}

describe('RollbackManager', () => {
  it('restores untracked, modified, deleted, renamed, binary, executable and symlinked files byte for byte', async () => {
    const repository = await repositoryWithEverything();
    // A dirty starting state is part of what the checkpoint must capture.
    await repository.write('notes-untracked.txt', 'mine\n');
    await repository.write('src/a.ts', 'export const a = 2; // staged\n');
    await repository.git(['add', 'src/a.ts']);
    await repository.write('ignored/cache.txt', 'ignored stays\n');
    const before = await repository.files();
    const manager = new RollbackManager({ projectDir: repository.root });
    const checkpoint = await manager.checkpoint('run-1', 'task-1');
    expect(checkpoint.ref).toBe('refs/qoder-orch/checkpoints/run-1/task-1');

    // The task: modify, delete, rename, create, change mode and binary content, retarget a link.
    await repository.write('src/a.ts', 'export const a = 3;\n');
    await repository.remove('gone.txt');
    await repository.git(['mv', 'src/old-name.ts', 'src/new-name.ts']);
    await repository.write('created/deep/file.txt', 'new\n');
    await repository.write('tool.sh', '#!/bin/sh\necho changed\n');
    await repository.git(['update-index', '--chmod=-x', 'tool.sh']);
    const { chmod } = await import('node:fs/promises');
    await chmod(`${repository.root}/tool.sh`, 0o644);
    await repository.write('image.bin', Buffer.from([9, 9, 9]));
    await repository.remove('link-to-a');
    await repository.link('link-to-a', 'gone.txt');
    await repository.remove('notes-untracked.txt');
    expect(await repository.files()).not.toEqual(before);

    const result = await manager.rollback('run-1', 'task-1');
    expect(await repository.files()).toEqual(before);
    expect(result.restoredPaths).toEqual(expect.arrayContaining(['src/a.ts', 'gone.txt', 'src/new-name.ts', 'created/deep/file.txt', 'image.bin', 'tool.sh', 'link-to-a']));
    // The directory the task created is gone, the ignored file untouched, the staged change staged again.
    await expect(repository.read('created/deep/file.txt')).rejects.toThrow();
    expect((await repository.read('ignored/cache.txt')).toString()).toBe('ignored stays\n');
    expect(await repository.git(['diff', '--cached', '--name-only'])).toBe('src/a.ts\n');
    // What the rollback replaced is kept, not destroyed.
    expect(result.leftoverRef).toMatch(/^refs\/qoder-orch\/leftovers\/run-1\/task-1\/rollback-/);
    expect(await repository.git(['show', `${result.leftoverRef}:created/deep/file.txt`])).toBe('new\n');
  });

  it('restores a file a task replaced with a directory, and a directory it replaced with a file', async () => {
    const repo = await createTemporaryRepository({ config: 'a file\n', 'lib/util.ts': 'util\n', 'lib/more/deep.ts': 'deep\n' });
    repositories.push(repo);
    const before = await repo.files();
    const manager = new RollbackManager({ projectDir: repo.root });
    await manager.checkpoint('run-t', 'types');
    await repo.remove('config');
    await repo.write('config/settings.json', '{}\n');
    await repo.remove('lib');
    await repo.write('lib', 'now a file\n');
    await manager.rollback('run-t', 'types');
    expect(await repo.files()).toEqual(before);
  });

  it('sees same-size edits made in the same second as the last index write (racy entries)', async () => {
    // Copying the index for a private one must keep its mtime, or git trusts stale stat data.
    const repo = await createTemporaryRepository({ 'x.txt': 'aaaa\n' });
    repositories.push(repo);
    const manager = new RollbackManager({ projectDir: repo.root });
    const stale: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      await repo.write('x.txt', 'aaaa\n');
      await repo.git(['add', '-A']);
      await repo.write('x.txt', 'bbbb\n');
      const checkpoint = await manager.checkpoint('run-racy', `t${round}`);
      if ((await repo.git(['show', `${checkpoint.commit}:x.txt`])) !== 'bbbb\n') stale.push(round);
    }
    expect(stale).toEqual([]);
  });

  it('never touches the branch, the index or the stash list when checkpointing', async () => {
    const repository = await repositoryWithEverything();
    await repository.write('stashed.txt', 'in the stash\n');
    await repository.git(['stash', 'push', '-q', '--include-untracked', '-m', 'user stash']);
    expect(await repository.git(['stash', 'list'])).toContain('user stash');
    await repository.write('src/a.ts', 'staged\n');
    await repository.git(['add', 'src/a.ts']);
    await repository.write('src/a.ts', 'staged then edited\n');
    await repository.write('untracked.txt', 'u\n');
    const before = await userState(repository);
    const manager = new RollbackManager({ projectDir: repository.root });
    await manager.checkpoint('run-1', 'a');
    await manager.checkpoint('run-1', 'b');
    expect(await userState(repository)).toEqual(before);
    expect((await manager.listCheckpoints()).map((entry) => entry.taskId).sort()).toEqual(['a', 'b']);
  });

  it('restores only the given paths, leaving other work alone', async () => {
    const repository = await repositoryWithEverything();
    const manager = new RollbackManager({ projectDir: repository.root });
    await manager.checkpoint('run-1', 'mine');
    await repository.write('src/a.ts', 'mine changed this\n');
    await repository.write('mine-new.txt', 'mine\n');
    await repository.write('theirs.txt', 'another task wrote this\n');
    await repository.write('gone.txt', 'another task edited this\n');
    await manager.rollback('run-1', 'mine', { paths: ['src/a.ts', 'mine-new.txt'] });
    expect((await repository.read('src/a.ts')).toString()).toBe('export const a = 1;\n');
    await expect(repository.read('mine-new.txt')).rejects.toThrow();
    expect((await repository.read('theirs.txt')).toString()).toBe('another task wrote this\n');
    expect((await repository.read('gone.txt')).toString()).toBe('another task edited this\n');
  });

  it('refuses paths outside the repository and a missing checkpoint, with codes', async () => {
    const repository = await repositoryWithEverything();
    const manager = new RollbackManager({ projectDir: repository.root });
    await manager.checkpoint('run-1', 't');
    for (const path of ['../outside.txt', '/etc/passwd', '.git/config', 'src/../../x']) {
      const error = await manager.rollback('run-1', 't', { paths: [path] }).catch((caught: unknown) => caught);
      expect(OrchestratorError.isInstance(error) && error.code).toBe('PATH_OUTSIDE_PROJECT');
    }
    const missing = await manager.rollback('run-1', 'nope').catch((caught: unknown) => caught);
    expect(OrchestratorError.isInstance(missing) && missing.code).toBe('CHECKPOINT_NOT_FOUND');
  });

  it('lists and prunes checkpoints, keeping a failed run by default', async () => {
    const repository = await repositoryWithEverything();
    const manager = new RollbackManager({ projectDir: repository.root });
    await manager.checkpoint('good-run', 't1');
    await manager.checkpoint('bad-run', 't1');
    await manager.checkpoint('bad-run', 't2');
    await manager.markRunFailed('bad-run');
    const listed = await manager.listCheckpoints();
    expect(listed.map((entry) => `${entry.runId}/${entry.taskId}:${entry.isFailedRun}`).sort()).toEqual(['bad-run/t1:true', 'bad-run/t2:true', 'good-run/t1:false']);
    expect(await manager.listCheckpoints({ runId: 'bad-run' })).toHaveLength(2);
    await manager.pruneCheckpoints();
    expect((await manager.listCheckpoints()).map((entry) => entry.runId)).toEqual(['bad-run', 'bad-run']);
    await manager.pruneCheckpoints({ keepFailed: false });
    expect(await manager.listCheckpoints()).toEqual([]);
  });

  it('sets the user work aside and puts it back on top of new commits, staged changes included', async () => {
    const repository = await repositoryWithEverything();
    await repository.write('src/a.ts', 'export const a = 1;\n// user edit\n');
    await repository.write('user-notes.md', 'do not lose me\n');
    await repository.remove('gone.txt');
    const dirty = await repository.files();
    const manager = new RollbackManager({ projectDir: repository.root });
    const aside = await manager.setAsideUserWork('run-9');
    expect(aside?.ref).toBe('refs/qoder-orch/snapshots/run-9');
    expect(await repository.git(['status', '--porcelain'])).toBe('');
    expect(await manager.pendingUserWork()).toEqual(['run-9']);
    // The run commits something else meanwhile.
    await repository.write('run-output.txt', 'from the run\n');
    await repository.commitAll('run work');
    const restored = await manager.restoreUserWork('run-9');
    expect(restored.isRestored).toBe(true);
    expect(await repository.files()).toEqual({ ...dirty, 'run-output.txt': expect.any(String) });
    expect(await manager.pendingUserWork()).toEqual([]);
  });

  it('puts staged changes back as staged when the run committed nothing', async () => {
    const repository = await repositoryWithEverything();
    await repository.write('src/a.ts', 'staged\n');
    await repository.git(['add', 'src/a.ts']);
    await repository.write('src/a.ts', 'staged then edited\n');
    const before = await userState(repository);
    const manager = new RollbackManager({ projectDir: repository.root });
    await manager.setAsideUserWork('run-s');
    expect(await repository.git(['diff', '--cached', '--name-only'])).toBe('');
    expect(await manager.restoreUserWork('run-s')).toEqual({ isRestored: true });
    expect(await userState(repository)).toEqual(before);
  });

  it('keeps the user work at its ref when it conflicts with what the run committed', async () => {
    const repository = await repositoryWithEverything();
    await repository.write('src/a.ts', 'user version\n');
    const manager = new RollbackManager({ projectDir: repository.root });
    await manager.setAsideUserWork('run-c');
    await repository.write('src/a.ts', 'run version\n');
    await repository.commitAll('run work');
    const restored = await manager.restoreUserWork('run-c');
    expect(restored).toMatchObject({ isRestored: false, ref: 'refs/qoder-orch/snapshots/run-c', conflicts: ['src/a.ts'] });
    expect((await repository.read('src/a.ts')).toString()).toBe('run version\n');
    expect(await repository.git(['show', 'refs/qoder-orch/snapshots/run-c:src/a.ts'])).toBe('user version\n');
    expect(await repository.git(['status', '--porcelain'])).toBe('');
  });
});
