import { afterEach, describe, expect, it } from 'vitest';
import { type GitSpawn, observeGitSpawns, runGit } from './git-client';
import { DEFAULT_GIT_IDENTITY } from './git-identity';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';
import { commitTree, treeChanges } from './working-state';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

describe('treeChanges', () => {
  it('answers a commit written with commitTree from what its tree was found to differ by, without asking git again', async () => {
    const repo = await createTemporaryRepository({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    repositories.push(repo);
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    await repo.write('a.txt', 'a changed\n');
    await repo.write('c.txt', 'c\n');
    await runGit(repo.root, ['add', '-A']);
    const tree = (await runGit(repo.root, ['write-tree'])).trim();
    // What a task's completion asks: its tree against its base.
    expect(await treeChanges(repo.root, base, tree)).toEqual([
      { status: 'M', path: 'a.txt' },
      { status: 'A', path: 'c.txt' },
    ]);
    const commit = await commitTree(repo.root, tree, { parents: [base], message: 'Task', identity: DEFAULT_GIT_IDENTITY });
    // What the task's check-change evidence asks next: the commit of that tree against the same base.
    const spawns: GitSpawn[] = [];
    const stop = observeGitSpawns((spawn) => spawns.push(spawn));
    const changes = await treeChanges(repo.root, base, commit);
    stop();
    expect(changes).toEqual([
      { status: 'M', path: 'a.txt' },
      { status: 'A', path: 'c.txt' },
    ]);
    expect(spawns.map((spawn) => spawn.args.join(' '))).toEqual([]);
  });
});
