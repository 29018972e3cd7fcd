import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moveHead } from './move-head';
import { gitSpawnsOf } from './testing/git-spawns';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

/** A repository at commit `from` (a.txt "one") with a commit `to` (a.txt "two") made beside it, not checked out. */
async function repositoryWithNextCommit(): Promise<{ repository: TemporaryRepository; from: string; to: string }> {
  const repository = await createTemporaryRepository({ 'a.txt': 'one\n', 'b.txt': 'b\n' });
  repositories.push(repository);
  const from = (await repository.git(['rev-parse', 'HEAD'])).trim();
  await repository.write('a.txt', 'two\n');
  const to = await repository.commitAll('two');
  await repository.git(['reset', '-q', '--hard', from]);
  return { repository, from, to };
}

const gitCommands = async (work: () => Promise<void>): Promise<string[]> => (await gitSpawnsOf(work)).map((spawn) => spawn.args[0] ?? '');

describe('moveHead', () => {
  it('moves the head, index and files in two git processes when the index is fresh', async () => {
    const { repository, from, to } = await repositoryWithNextCommit();
    const commands = await gitCommands(() => moveHead(repository.root, from, to, 'test move'));
    expect(commands).toEqual(['read-tree', 'update-ref']);
    expect((await repository.git(['rev-parse', 'HEAD'])).trim()).toBe(to);
    expect((await repository.read('a.txt')).toString()).toBe('two\n');
    expect((await repository.git(['status', '--porcelain'])).trim()).toBe('');
  });

  it('moves past a file only touched since the index was written (same bytes), refreshing the index then', async () => {
    const { repository, from, to } = await repositoryWithNextCommit();
    const later = new Date(Date.now() + 60_000);
    await utimes(join(repository.root, 'a.txt'), later, later);
    const commands = await gitCommands(() => moveHead(repository.root, from, to, 'test move'));
    expect(commands).toEqual(['read-tree', 'update-index', 'read-tree', 'update-ref']);
    expect((await repository.git(['rev-parse', 'HEAD'])).trim()).toBe(to);
    expect((await repository.read('a.txt')).toString()).toBe('two\n');
  });

  it('refuses to overwrite a local change, changing nothing', async () => {
    const { repository, from, to } = await repositoryWithNextCommit();
    await repository.write('a.txt', 'mine\n');
    await expect(moveHead(repository.root, from, to, 'test move')).rejects.toMatchObject({ code: 'GIT_ERROR' });
    expect((await repository.git(['rev-parse', 'HEAD'])).trim()).toBe(from);
    expect((await repository.read('a.txt')).toString()).toBe('mine\n');
  });
});
