import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommitContent, commitObjectBody, writeCommitObject } from './commit-object';
import { runGit } from './git-client';
import { identityEnvironment } from './git-identity';
import { gitSpawnsOf } from './testing/git-spawns';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';
import { commitTree } from './working-state';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

async function repositoryWithTwoCommits(): Promise<{ repository: TemporaryRepository; first: string; second: string; tree: string }> {
  const repository = await createTemporaryRepository({ 'a.txt': 'one\n' });
  repositories.push(repository);
  const first = (await repository.git(['rev-parse', 'HEAD'])).trim();
  await repository.write('b.txt', 'two\n');
  const second = await repository.commitAll('second');
  const tree = (await repository.git(['rev-parse', `${second}^{tree}`])).trim();
  return { repository, first, second, tree };
}

const zone = (offsetMinutes: number) => `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;

/** What `git commit-tree` itself writes for the same content (its dates pinned to the content's). */
async function byGit(root: string, content: CommitContent): Promise<string> {
  const date = `${content.seconds} ${zone(content.offsetMinutes)}`;
  const env = { ...identityEnvironment(content.identity), GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  return (await runGit(root, ['commit-tree', content.tree, ...content.parents.flatMap((parent) => ['-p', parent]), '-m', content.message], { env })).trim();
}

describe('writeCommitObject', () => {
  it('writes the very object git commit-tree writes: same id, readable, fsck-clean', async () => {
    const { repository, first, second, tree } = await repositoryWithTwoCommits();
    const identity = { name: 'qoder-orch', email: 'qoder-orch@localhost' };
    const cases: CommitContent[] = [
      { tree, parents: [], message: 'a root commit', identity, seconds: 1_764_000_000, offsetMinutes: 0 },
      { tree, parents: [second], message: 'one parent\n\nwith a body\n', identity, seconds: 1_764_000_001, offsetMinutes: 330 },
      { tree, parents: [second, first], message: 'Merge task t1: naïve ✓ change', identity: { name: 'Zoë Dev', email: 'zoe@example.com' }, seconds: 1_764_000_002, offsetMinutes: -480 },
    ];
    for (const content of cases) {
      const written = await writeCommitObject(repository.root, content);
      expect(written).toBeDefined();
      expect(written).toBe(await byGit(repository.root, content));
      expect((await repository.git(['cat-file', '-t', written as string])).trim()).toBe('commit');
    }
    expect(await repository.git(['fsck', '--strict', '--no-dangling'])).toBe('');
  });

  it('leaves to git what git would write its own way, or what it cannot see', async () => {
    const { repository, second, tree } = await repositoryWithTwoCommits();
    const base: CommitContent = { tree, parents: [second], message: 'm', identity: { name: 'qoder-orch', email: 'qoder-orch@localhost' }, seconds: 1_764_000_000, offsetMinutes: 0 };
    // Names git trims or rewrites.
    for (const name of [' padded', 'dotted.', 'a <b>', '']) expect(commitObjectBody({ ...base, identity: { ...base.identity, name } })).toBeUndefined();
    // A tree that is not there (git refuses it), and SHA-256 ids.
    expect(await writeCommitObject(repository.root, { ...base, tree: 'f'.repeat(40) })).toBeUndefined();
    expect(commitObjectBody({ ...base, tree: 'a'.repeat(64) })).toBeUndefined();
    expect(await writeCommitObject(repository.root, base)).toBeDefined();
    // A repository that keeps a second object format's ids beside its own: git records both.
    const config = join(repository.root, '.git', 'config');
    const plain = await readFile(config, 'utf8');
    await appendFile(config, '[extensions]\n\tcompatObjectFormat = sha256\n');
    expect(await writeCommitObject(repository.root, { ...base, message: 'another' })).toBeUndefined();
    // A repository whose objects are shared with a group: git sets their permissions.
    await writeFile(config, `${plain}[core]\n\tsharedRepository = group\n`);
    expect(await writeCommitObject(repository.root, { ...base, message: 'a third' })).toBeUndefined();
  });

  it('makes commitTree spawn no git process in a plain repository, and falls back to git otherwise', async () => {
    const { repository, second, tree } = await repositoryWithTwoCommits();
    let commit = '';
    let odd = '';
    const here = await gitSpawnsOf(async () => {
      commit = await commitTree(repository.root, tree, { parents: [second], message: 'made here', identity: { name: 'qoder-orch', email: 'qoder-orch@localhost' } });
    });
    expect(here.map((spawn) => spawn.args[0])).toEqual([]);
    const byGitItself = await gitSpawnsOf(async () => {
      odd = await commitTree(repository.root, tree, { parents: [second], message: 'made by git', identity: { name: ' odd ', email: 'odd@example.com' } });
    });
    expect(byGitItself.map((spawn) => spawn.args[0])).toEqual(['commit-tree']);
    expect((await repository.git(['log', '-1', '--format=%s|%an|%P', commit])).trim()).toBe(`made here|qoder-orch|${second}`);
    expect((await repository.git(['log', '-1', '--format=%an', odd])).trim()).toBe('odd');
  });
  it('finds a packed tree and parent in the packs’ indexes (a fresh clone’s): still no process, the same object as git’s', async () => {
    const { repository, second, tree } = await repositoryWithTwoCommits();
    await repository.git(['repack', '-adq']);
    await repository.git(['prune-packed']);
    const objects = join(repository.root, '.git', 'objects');
    expect((await readdir(join(objects, 'pack'))).some((name) => name.endsWith('.idx'))).toBe(true);
    const content: CommitContent = { tree, parents: [second], message: 'on a packed parent', identity: { name: 'qoder-orch', email: 'qoder-orch@localhost' }, seconds: 1_764_000_100, offsetMinutes: 60 };
    let written: string | undefined;
    const spawns = await gitSpawnsOf(async () => {
      written = await writeCommitObject(repository.root, content);
    });
    expect(spawns).toEqual([]);
    expect(written).toBe(await byGit(repository.root, content));
    expect(await repository.git(['fsck', '--strict', '--no-dangling'])).toBe('');
  });
});
