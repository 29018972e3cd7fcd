import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitSpawn, observeGitSpawns } from './git-client';
import { isGitRepository, repositoryPaths } from './repository';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

async function counted<T>(body: () => Promise<T>): Promise<{ value: T; spawns: GitSpawn[] }> {
  const spawns: GitSpawn[] = [];
  const stop = observeGitSpawns((spawn) => spawns.push(spawn));
  try {
    return { value: await body(), spawns };
  } finally {
    stop();
  }
}

describe('repositoryPaths', () => {
  it('asks git once for a directory, and again when git’s files no longer match what it said', async () => {
    const repo = await createTemporaryRepository({ 'src/a.txt': 'a\n' });
    repositories.push(repo);
    const sub = join(repo.root, 'src');
    const first = await counted(() => repositoryPaths(sub));
    expect(first.spawns).toHaveLength(1);
    const again = await counted(async () => ({ paths: await repositoryPaths(sub), isRepository: await isGitRepository(sub) }));
    expect(again.value.paths).toEqual(first.value);
    expect(again.value.isRepository).toBe(true);
    expect(again.spawns).toEqual([]);

    // A repository of its own made in the subdirectory: its paths, not the remembered ones.
    execFileSync('git', ['init', '-q'], { cwd: sub });
    const nested = await counted(() => repositoryPaths(sub));
    expect(nested.spawns).toHaveLength(1);
    expect(nested.value.gitDir).toBe(join(sub, '.git'));

    // Gone again: the outer repository, asked of git.
    await rm(join(sub, '.git'), { recursive: true, force: true });
    const outer = await counted(() => repositoryPaths(sub));
    expect(outer.spawns).toHaveLength(1);
    expect(outer.value).toEqual(first.value);
  });

  it('does not remember a directory that is not in a repository', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n' });
    repositories.push(repo);
    const outside = join(repo.root, '..', `not-a-repo-${process.pid}`);
    await mkdir(outside, { recursive: true });
    try {
      await expect(repositoryPaths(outside)).rejects.toThrow(/not inside a git working tree/);
      expect(await isGitRepository(outside)).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
