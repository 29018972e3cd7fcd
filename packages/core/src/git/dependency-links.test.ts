import { lstat, readFile, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorktreeManager, WorktreeProvisioner } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

/** A monorepo with installed dependencies: ignored `node_modules` folders, an untracked (not ignored) `.venv`, and a vendored (tracked) `node_modules`. */
async function installedProject(): Promise<TemporaryRepository> {
  const repo = await createTemporaryRepository({
    '.gitignore': 'node_modules/\n',
    'package.json': '{"name":"root","private":true}\n',
    'packages/a/package.json': '{"name":"a"}\n',
  });
  repositories.push(repo);
  await repo.write('vendor/node_modules/kept.js', 'tracked\n');
  await repo.git(['add', '-f', 'vendor/node_modules/kept.js']);
  await repo.git(['commit', '-q', '-m', 'vendored']);
  await repo.write('node_modules/dep/index.js', 'export default 1;\n');
  await repo.write('packages/a/node_modules/x/index.js', 'export default 2;\n');
  await repo.write('.venv/pyvenv.cfg', 'home = /usr/bin\n');
  return repo;
}

/** A manager and a link-mode provisioner wired as a run wires them; `add` makes a task's worktree ready. */
async function linkingManager(repo: TemporaryRepository, dependencies: 'link' | 'none' = 'link') {
  const provisioner = new WorktreeProvisioner({ root: repo.root, dependencies });
  await provisioner.prepareRepository();
  const manager = new WorktreeManager({ projectDir: repo.root, preservedPaths: (path) => provisioner.preservedPaths(path), beforeRemove: (path) => provisioner.teardown(path) });
  const add = async (taskId: string) => {
    const worktree = await manager.add('run', taskId, (await repo.git(['rev-parse', 'HEAD'])).trim());
    const { linked } = await provisioner.provision(worktree.path, { slot: 0 });
    return { path: worktree.path, linkedDependencies: linked };
  };
  return { manager, add };
}

describe('dependency folders in task worktrees', () => {
  it('links the installed, untracked dependency folders of the main checkout, and git never sees the links', async () => {
    const repo = await installedProject();
    const { manager, add } = await linkingManager(repo);
    const worktree = await add('task');
    expect([...worktree.linkedDependencies].sort()).toEqual(['.venv', 'node_modules', 'packages/a/node_modules']);
    for (const path of worktree.linkedDependencies) expect(await readlink(join(worktree.path, path))).toBe(join(repo.root, path));
    expect(await readFile(join(worktree.path, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('export default 1;\n');
    // The tracked folder is the worktree's own checkout, not a link.
    expect((await lstat(join(worktree.path, 'vendor', 'node_modules'))).isSymbolicLink()).toBe(false);
    // `node_modules/` matches folders only, not links: the links are excluded explicitly.
    expect(await repo.git(['-C', worktree.path, 'status', '--porcelain', '--untracked-files=all'])).toBe('');
    // Nothing to keep when only the links are there; removing never follows them.
    expect(await manager.remove('run', 'task')).toEqual({});
    expect(await readFile(join(repo.root, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('export default 1;\n');
    expect(await readFile(join(repo.root, 'packages', 'a', 'node_modules', 'x', 'index.js'), 'utf8')).toBe('export default 2;\n');
    expect(await stat(join(repo.root, '.venv', 'pyvenv.cfg')).then(() => true)).toBe(true);
  });

  it("keeps a task's own work but never the links when its worktree is set aside", async () => {
    const repo = await installedProject();
    const { manager, add } = await linkingManager(repo);
    const worktree = await add('task');
    await rm(join(worktree.path, 'package.json'));
    const { leftoverRef } = await manager.remove('run', 'task', { label: 'kept' });
    expect(leftoverRef).toBeDefined();
    const files = (await repo.git(['ls-tree', '-r', '--name-only', leftoverRef!])).trim().split('\n');
    expect(files.sort()).toEqual(['.gitignore', 'packages/a/package.json', 'vendor/node_modules/kept.js']);
  });

  it('links nothing when asked not to, and a manager alone puts nothing in a worktree', async () => {
    const repo = await installedProject();
    const { manager, add } = await linkingManager(repo, 'none');
    const worktree = await add('task');
    expect(worktree.linkedDependencies).toEqual([]);
    await expect(lstat(join(worktree.path, 'node_modules'))).rejects.toMatchObject({ code: 'ENOENT' });
    await manager.remove('run', 'task');
    const alone = await new WorktreeManager({ projectDir: repo.root }).add('run', 'alone', (await repo.git(['rev-parse', 'HEAD'])).trim());
    await expect(lstat(join(alone.path, 'node_modules'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
