import { afterEach, describe, expect, it } from 'vitest';
import { resolveRef } from './git-client';
import { RefUpdateBatches } from './ref-update-batches';
import { gitSpawnsOf } from './testing/git-spawns';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

async function repositoryWithCommit(): Promise<{ repository: TemporaryRepository; head: string }> {
  const repository = await createTemporaryRepository();
  repositories.push(repository);
  return { repository, head: (await repository.git(['rev-parse', 'HEAD'])).trim() };
}

describe('RefUpdateBatches', () => {
  it('writes a burst of updates in at most two git processes, each ref where it was asked to point', async () => {
    const { repository, head } = await repositoryWithCommit();
    const batches = new RefUpdateBatches('test checkpoint');
    const refs = Array.from({ length: 6 }, (_, index) => `refs/qoder-orch/checkpoints/run/t${index}`);
    const spawns = await gitSpawnsOf(() => Promise.all(refs.map((ref) => batches.update(repository.root, ref, head))));
    expect(spawns.length).toBeLessThanOrEqual(2);
    for (const ref of refs) expect(await resolveRef(repository.root, ref)).toBe(head);
  });

  it('rejects only the update git refuses when a batch fails, and writes the others', async () => {
    const { repository, head } = await repositoryWithCommit();
    const batches = new RefUpdateBatches('test checkpoint');
    // A ref where another ref's folder would have to be: git refuses it, in a transaction and alone.
    await repository.git(['update-ref', 'refs/qoder-orch/checkpoints/run', head]);
    const first = batches.update(repository.root, 'refs/qoder-orch/first', head);
    const later = ['refs/qoder-orch/a', 'refs/qoder-orch/checkpoints/run/t1', 'refs/qoder-orch/b'].map((ref) => batches.update(repository.root, ref, head));
    const outcomes = await Promise.allSettled([first, ...later]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await resolveRef(repository.root, 'refs/qoder-orch/a')).toBe(head);
    expect(await resolveRef(repository.root, 'refs/qoder-orch/b')).toBe(head);
    expect(await resolveRef(repository.root, 'refs/qoder-orch/checkpoints/run/t1')).toBeUndefined();
  });

  it('keeps updates of different repositories apart', async () => {
    const one = await repositoryWithCommit();
    const other = await repositoryWithCommit();
    const batches = new RefUpdateBatches('test checkpoint');
    await Promise.all([batches.update(one.repository.root, 'refs/qoder-orch/x', one.head), batches.update(other.repository.root, 'refs/qoder-orch/y', other.head), batches.update(one.repository.root, 'refs/qoder-orch/z', one.head)]);
    expect(await resolveRef(one.repository.root, 'refs/qoder-orch/z')).toBe(one.head);
    expect(await resolveRef(other.repository.root, 'refs/qoder-orch/y')).toBe(other.head);
    expect(await resolveRef(other.repository.root, 'refs/qoder-orch/x')).toBeUndefined();
  });
});
