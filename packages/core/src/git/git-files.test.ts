import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { headCommit, isAncestor, resolveRef, treeOfCommit } from './git-client';
import { isKnownAncestor, isRefAbsent, locateCheckout, readHeadCommit, readLooseCommitTree, readSmallFile, rememberParentsOf } from './git-files';
import { gitSpawnsOf } from './testing/git-spawns';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

async function repository(): Promise<TemporaryRepository> {
  const created = await createTemporaryRepository();
  repositories.push(created);
  return created;
}

/** Runs `body` and answers how many git processes it started. */
const spawnsOf = async (body: () => Promise<unknown>): Promise<number> => (await gitSpawnsOf(body)).length;

describe('reading git files instead of starting git', () => {
  it('reads HEAD of a branch, of a detached HEAD and of a linked worktree as git does, without a process', async () => {
    const repo = await repository();
    const first = await repo.commitAll('first');
    expect(await spawnsOf(async () => expect(await headCommit(repo.root)).toBe(first))).toBe(0);
    await repo.git(['checkout', '-q', '--detach']);
    expect(await readHeadCommit((await locateCheckout(repo.root))!)).toBe(first);
    await repo.git(['checkout', '-q', 'main']);
    const linked = join(repo.root, '..', `${repo.root.split('/').pop()}-linked`);
    await repo.git(['worktree', 'add', '-q', '-b', 'side', linked, 'main']);
    try {
      const location = (await locateCheckout(linked))!;
      expect(location.gitDir).not.toBe(location.commonDir);
      expect(location.commonDir).toBe(join(repo.root, '.git'));
      expect(await spawnsOf(async () => expect(await headCommit(linked)).toBe(first))).toBe(0);
    } finally {
      await repo.git(['worktree', 'remove', '--force', linked]);
    }
  });

  it('asks git when the branch is packed, and answers no HEAD on a branch yet to be born', async () => {
    const repo = await repository();
    const first = await repo.commitAll('first');
    await repo.git(['pack-refs', '--all']);
    expect(await readHeadCommit((await locateCheckout(repo.root))!)).toBeUndefined();
    expect(await spawnsOf(async () => expect(await headCommit(repo.root)).toBe(first))).toBe(1);
    expect(await resolveRef(repo.root, 'refs/heads/main')).toBe(first);
    // A branch yet to be born: no ref file, nothing packed, git says there is no HEAD commit.
    await repo.git(['checkout', '-q', '--orphan', 'nothing-yet']);
    expect(await headCommit(repo.root)).toBeUndefined();
  });

  it('knows a ref is absent only when neither a loose file nor packed-refs holds it', async () => {
    const repo = await repository();
    await repo.commitAll('first');
    await repo.git(['branch', 'packed-one']);
    await repo.git(['pack-refs', '--all']);
    const location = (await locateCheckout(repo.root))!;
    expect(await isRefAbsent(location, 'refs/heads/packed-one')).toBe(false);
    expect(await isRefAbsent(location, 'refs/heads/main')).toBe(false);
    expect(await isRefAbsent(location, 'refs/heads/never')).toBe(true);
    expect(await isRefAbsent(location, 'refs/heads/../config')).toBe(false);
    expect(await spawnsOf(async () => expect(await resolveRef(repo.root, 'refs/heads/never')).toBeUndefined())).toBe(0);
  });

  it('never blocks on a FIFO an agent put where HEAD or packed-refs should be: git is asked instead', async () => {
    const repository = await createTemporaryRepository();
    repositories.push(repository);
    const gitDir = join(repository.root, '.git');
    const location = (await locateCheckout(repository.root))!;
    execFileSync('mkfifo', [join(gitDir, 'packed-refs')]);
    // A blocking read of the FIFO would hang the test (and the process) here.
    expect(await isRefAbsent(location, 'refs/heads/none')).toBe(false);
    await rm(join(gitDir, 'HEAD'));
    execFileSync('mkfifo', [join(gitDir, 'HEAD')]);
    expect(readSmallFile(join(gitDir, 'HEAD'))).toBeUndefined();
    expect(await readHeadCommit(location)).toBeUndefined();
  });

  it('finds no checkout in a subdirectory (git is asked there)', async () => {
    const repo = await repository();
    await repo.write('sub/file.txt', 'x\n');
    const first = await repo.commitAll('first');
    expect(await locateCheckout(join(repo.root, 'sub'))).toBeUndefined();
    expect(await headCommit(join(repo.root, 'sub'))).toBe(first);
  });
});

describe('isAncestor', () => {
  it('answers by the exit code: no for a commit off the history, yes for one on it, an error for an unknown one', async () => {
    const repo = await repository();
    const base = await repo.commitAll('base');
    await repo.git(['checkout', '-q', '-b', 'side']);
    const side = await repo.commitAll('side');
    await repo.git(['checkout', '-q', 'main']);
    const main = await repo.commitAll('main');
    expect(await isAncestor(repo.root, side, main)).toBe(false);
    expect(await isAncestor(repo.root, base, main)).toBe(true);
    expect(await isAncestor(repo.root, main, main)).toBe(true);
    // Asked again: remembered, no process.
    expect(await spawnsOf(() => isAncestor(repo.root, side, main))).toBe(0);
    await expect(isAncestor(repo.root, '0'.repeat(40), main)).rejects.toMatchObject({ code: 'GIT_ERROR' });
  });
});

describe('isKnownAncestor', () => {
  const id = (name: string) => name.repeat(40).slice(0, 40);
  it('answers yes along the parents of commits this process wrote, and "not known" otherwise', () => {
    rememberParentsOf(id('b'), [id('a')]);
    rememberParentsOf(id('d'), [id('b'), id('c')]);
    expect(isKnownAncestor(id('a'), id('d'))).toBe(true);
    expect(isKnownAncestor(id('c'), id('d'))).toBe(true);
    expect(isKnownAncestor(id('d'), id('d'))).toBe(true);
    expect(isKnownAncestor(id('d'), id('a'))).toBe(false);
    expect(isKnownAncestor(id('e'), id('d'))).toBe(false);
  });
});

describe('readLooseCommitTree', () => {
  it("reads a loose commit's tree from its object file, and answers nothing for a packed commit or another kind of object", async () => {
    const repo = await repository();
    await repo.write('b.txt', 'b\n');
    const commit = await repo.commitAll('second');
    const tree = (await repo.git(['rev-parse', `${commit}^{tree}`])).trim();
    const location = (await locateCheckout(repo.root))!;
    expect(await readLooseCommitTree(location, commit)).toBe(tree);
    expect(await readLooseCommitTree(location, tree)).toBeUndefined();
    // treeOfCommit asks no git for it.
    expect(await spawnsOf(async () => expect(await treeOfCommit(repo.root, commit)).toBe(tree))).toBe(0);
    await repo.git(['gc', '-q', '--prune=now']);
    expect(await readLooseCommitTree(location, commit)).toBeUndefined();
  });
});
