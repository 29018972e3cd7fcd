import { chmod, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGit } from './git-client';
import { changedWorkingPaths, stageWorkingState, withTemporaryIndex, workingState, workingTree } from './temporary-index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

/** What the snapshot used to be: `git add -A` over the whole tree into a copy of the index. */
function addAllTree(cwd: string): Promise<string> {
  return withTemporaryIndex(cwd, async (env) => {
    await runGit(cwd, ['add', '-A', '--', '.'], { env });
    return (await runGit(cwd, ['write-tree'], { env })).trim();
  });
}

async function repository(): Promise<TemporaryRepository> {
  const repo = await createTemporaryRepository({ 'a.txt': 'a\n', 'b.txt': 'b\n', 'dir/c.txt': 'c\n', 'dir/deep/d.txt': 'd\n', 'run.sh': '#!/bin/sh\n', '.gitignore': 'build/\n*.log\n' });
  repositories.push(repo);
  return repo;
}

const modifications: Array<[string, (repo: TemporaryRepository) => Promise<void>]> = [
  ['a modified file', (repo) => repo.write('a.txt', 'a changed\n')],
  ['a deleted file', (repo) => repo.remove('b.txt')],
  ['an untracked file', (repo) => repo.write('new.txt', 'new\n')],
  ['a file in a new folder', (repo) => repo.write('fresh/inner/e.txt', 'e\n')],
  ['the executable bit', (repo) => chmod(join(repo.root, 'run.sh'), 0o755)],
  ['a new symlink', (repo) => repo.link('link-to-a', 'a.txt')],
  ['a file replaced by a symlink', (repo) => repo.remove('a.txt').then(() => repo.link('a.txt', 'b.txt'))],
  ['ignored files (left out)', (repo) => repo.write('build/out.js', 'x\n').then(() => repo.write('debug.log', 'log\n'))],
  ['a staged-only change', (repo) => repo.write('a.txt', 'staged\n').then(() => repo.git(['add', 'a.txt']).then(() => undefined))],
  [
    'a staged change undone in the work tree',
    (repo) =>
      repo
        .write('a.txt', 'staged\n')
        .then(() => repo.git(['add', 'a.txt']))
        .then(() => repo.write('a.txt', 'a\n')),
  ],
  ['a staged deletion with the file back', (repo) => repo.git(['rm', '-q', '--cached', 'b.txt']).then(() => undefined)],
  ['an intent-to-add file', (repo) => repo.write('later.txt', 'later\n').then(() => repo.git(['add', '-N', 'later.txt']).then(() => undefined))],
  ['a folder replaced by a file', (repo) => repo.remove('dir').then(() => repo.write('dir', 'now a file\n'))],
  ['a file replaced by a folder', (repo) => repo.remove('a.txt').then(() => repo.write('a.txt/inside.txt', 'inside\n'))],
  ['names with spaces, newlines, quotes and unicode', (repo) => repo.write('with space/na\nme "q" é😀.txt', 'odd\n').then(() => repo.write('tab\there.txt', 't\n'))],
  ['a file removed from a folder, leaving it empty', (repo) => repo.remove('dir/deep/d.txt')],
  ['an empty new folder (left out)', (repo) => mkdir(join(repo.root, 'empty'), { recursive: true }).then(() => undefined)],
];

describe('workingTree (status-based snapshot)', () => {
  it('is the tree HEAD has, without any index, when nothing changed', async () => {
    const repo = await repository();
    expect(await changedWorkingPaths(repo.root)).toEqual([]);
    expect(await workingTree(repo.root)).toBe((await repo.git(['rev-parse', 'HEAD^{tree}'])).trim());
  });

  for (const [name, change] of modifications) {
    it(`equals the tree of \`git add -A\` with ${name}`, async () => {
      const repo = await repository();
      await change(repo);
      const indexBefore = await stat(join(repo.root, '.git', 'index'));
      const expected = await addAllTree(repo.root);
      expect(await workingTree(repo.root)).toBe(expected);
      // The user's index is never written (no refresh, no lock).
      const indexAfter = await stat(join(repo.root, '.git', 'index'));
      expect(indexAfter.mtimeMs).toBe(indexBefore.mtimeMs);
    });
  }

  it('equals the tree of `git add -A` with all of those at once, and with a racy same-size edit', async () => {
    const repo = await repository();
    for (const [, change] of modifications.filter(([name]) => !/^a (file|folder) replaced by a (folder|file)$/.test(name))) await change(repo);
    expect(await workingTree(repo.root)).toBe(await addAllTree(repo.root));
    // Same size, written right after the index: only the content tells it apart.
    await repo.commitAll('everything');
    await writeFile(join(repo.root, 'dir', 'c.txt'), 'C\n');
    expect(await changedWorkingPaths(repo.root)).toEqual(['dir/c.txt']);
    expect(await workingTree(repo.root)).toBe(await addAllTree(repo.root));
  });

  it('records a nested repository as git add -A does, and works from a linked worktree', async () => {
    const repo = await repository();
    const nested = join(repo.root, 'nested');
    await mkdir(nested);
    await runGit(nested, ['init', '-q']);
    await writeFile(join(nested, 'x.txt'), 'x\n');
    await runGit(nested, ['add', '-A']);
    await runGit(nested, ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'nested']);
    expect(await workingTree(repo.root)).toBe(await addAllTree(repo.root));
    await rm(nested, { recursive: true, force: true });
    const linked = `${repo.root}-linked`;
    await repo.git(['worktree', 'add', '-q', '--detach', linked, 'HEAD']);
    try {
      await writeFile(join(linked, 'a.txt'), 'in the linked worktree\n');
      await symlink('a.txt', join(linked, 'alias'));
      expect(await workingTree(linked)).toBe(await addAllTree(linked));
      expect(await workingTree(repo.root)).toBe((await repo.git(['rev-parse', 'HEAD^{tree}'])).trim());
    } finally {
      await rm(linked, { recursive: true, force: true });
    }
  });
});

describe('stageWorkingState (the working state written into the checkout’s own index)', () => {
  for (const [name, change] of modifications) {
    it(`leaves the index holding the tree of \`git add -A\` with ${name}`, async () => {
      const repo = await repository();
      await change(repo);
      const expected = await addAllTree(repo.root);
      const state = await stageWorkingState(repo.root);
      expect(state.tree).toBe(expected);
      expect(state.headTree).toBe((await repo.git(['rev-parse', 'HEAD^{tree}'])).trim());
      // What `git reset` after a commit of that tree would leave: the index is the tree.
      expect((await repo.git(['write-tree'])).trim()).toBe(expected);
    });
  }

  it('falls back to a private index when the index is locked, leaving it alone', async () => {
    const repo = await repository();
    await repo.write('a.txt', 'a changed\n');
    await writeFile(join(repo.root, '.git', 'index.lock'), '');
    const indexBefore = await stat(join(repo.root, '.git', 'index'));
    const expected = await addAllTree(repo.root);
    expect((await stageWorkingState(repo.root)).tree).toBe(expected);
    expect((await stat(join(repo.root, '.git', 'index'))).mtimeMs).toBe(indexBefore.mtimeMs);
    await rm(join(repo.root, '.git', 'index.lock'));
    expect((await repo.git(['write-tree'])).trim()).toBe((await repo.git(['rev-parse', 'HEAD^{tree}'])).trim());
  });

  it('lists ignored files and folders apart from the changes, in the same status', async () => {
    const repo = await repository();
    await repo.write('build/out.js', 'x\n');
    await repo.write('build/deep/more.js', 'x\n');
    await repo.write('debug.log', 'log\n');
    await repo.write('new.txt', 'new\n');
    const state = await workingState(repo.root, { isListingIgnored: true });
    expect(state.changedPaths).toEqual(['new.txt']);
    // A folder an ignore pattern matches is one entry.
    expect(state.ignoredPaths?.sort()).toEqual(['build', 'debug.log']);
    expect((await workingState(repo.root)).ignoredPaths).toBeUndefined();
  });
});
