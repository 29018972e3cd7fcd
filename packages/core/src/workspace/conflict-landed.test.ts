import { afterEach, describe, expect, it } from 'vitest';
import { conflictChangeLanded } from './conflict-landed';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

/** main has `first`'s change; `second`'s conflicting change is kept at a ref, as the merge queue keeps it. */
async function conflicted() {
  const repo = await createTemporaryRepository({ 'shared.txt': 'line 1\nline 2\nline 3\n', 'old.txt': 'old\n' });
  repositories.push(repo);
  const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
  await repo.git(['checkout', '-q', '-b', 'second']);
  await repo.write('shared.txt', 'line 1\nline 2 by second\nline 3\n');
  await repo.write('added.txt', 'new file\n');
  await repo.remove('old.txt');
  const kept = await repo.commitAll('second');
  await repo.git(['update-ref', 'refs/qoder-orch/leftovers/run/second/conflict', kept]);
  await repo.git(['checkout', '-q', 'main']);
  await repo.git(['branch', '-q', '-D', 'second']);
  await repo.write('shared.txt', 'line 1\nline 2 by first\nline 3\n');
  await repo.commitAll('first');
  return { repo, kept, options: { cwd: repo.root, ref: 'refs/qoder-orch/leftovers/run/second/conflict', baseCommit: base } };
}

describe('conflictChangeLanded', () => {
  it('is not landed while nothing of the kept change is on the branch (a follow-up that did nothing)', async () => {
    const { repo, options } = await conflicted();
    await repo.commitAll('a follow-up that changed nothing');
    expect(await conflictChangeLanded(options)).toEqual({ isLanded: false, missing: ['added.txt', 'old.txt', 'shared.txt'] });
  });

  it('is landed when the change was brought over by hand, combined with the other side', async () => {
    const { repo, options } = await conflicted();
    await repo.write('shared.txt', 'line 1\nline 2 by first\nline 2 by second\nline 3\n');
    await repo.write('added.txt', 'new file\n');
    await repo.remove('old.txt');
    await repo.commitAll('bring second over');
    expect(await conflictChangeLanded(options)).toEqual({ isLanded: true, missing: [] });
  });

  it("is not landed by a resolution that merged the kept commit but kept only the branch's side", async () => {
    const { repo, kept, options } = await conflicted();
    await repo.git(['merge', '-q', '--no-ff', '-s', 'ours', '-m', 'resolve by dropping it', kept]);
    expect((await conflictChangeLanded(options)).missing).toEqual(['added.txt', 'old.txt', 'shared.txt']);
    // Rewriting the conflicting line in a real resolution counts; the rest must be there too.
    await repo.git(['reset', '-q', '--hard', 'HEAD^']);
    await repo.git(['merge', '-q', '--no-ff', '--no-commit', kept]).catch(() => '');
    await repo.write('shared.txt', 'line 1\nline 2 by first and second\nline 3\n');
    await repo.git(['add', '-A']);
    await repo.git(['commit', '-q', '-m', 'resolve']);
    expect(await conflictChangeLanded(options)).toEqual({ isLanded: true, missing: [] });
  });

  it('is not landed when the kept ref is gone', async () => {
    const { repo, options } = await conflicted();
    await repo.git(['update-ref', '-d', options.ref]);
    expect(await conflictChangeLanded(options)).toEqual({ isLanded: false, missing: [options.ref] });
  });
});
