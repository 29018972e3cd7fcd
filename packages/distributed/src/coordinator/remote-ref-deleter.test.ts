import { afterAll, describe, expect, it, vi } from 'vitest';
import { createProjectWithRemote } from '../test/project-fixture';
import { RemoteRefDeleter } from './remote-ref-deleter';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('RemoteRefDeleter (real git, a bare remote)', () => {
  it('deletes refs from the remote 32 at a time, and the rest on flush; a ref already gone does not stop the others', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const refs = Array.from({ length: 34 }, (_, index) => `refs/heads/qoder-orch/run/t${index}/1`);
    await project.git(['push', '--quiet', 'origin', ...refs.map((ref) => `HEAD:${ref}`)]);
    const onRemote = async () => (await project.git(['ls-remote', 'origin', 'refs/heads/qoder-orch/*'])).split('\n').filter(Boolean).length;
    const gitDir = (await project.git(['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
    const deleter = new RemoteRefDeleter('origin');
    for (const ref of refs.slice(0, 31)) deleter.delete(gitDir, [ref]);
    expect(await onRemote()).toBe(34);
    deleter.delete(gitDir, [refs[31]!]);
    await vi.waitFor(async () => expect(await onRemote()).toBe(2), { timeout: 20_000, interval: 100 });
    // One already deleted by someone else, one still there: the flush deletes what is left.
    await project.git(['push', '--quiet', 'origin', '--delete', refs[32]!]);
    deleter.delete(gitDir, [refs[32]!, refs[33]!]);
    expect(await onRemote()).toBe(1);
    await deleter.flush();
    expect(await onRemote()).toBe(0);
  }, 60_000);
});
