import { afterAll, describe, expect, it } from 'vitest';
import { createProjectWithRemote } from '../test/project-fixture';
import { RemoteRefDeleter } from './remote-ref-deleter';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('RemoteRefDeleter (real git, a bare remote)', () => {
  it('deletes nothing until flushed, then every ref asked for in one push; a ref already gone does not stop the others', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const refs = Array.from({ length: 40 }, (_, index) => `refs/heads/qoder-orch/run/t${index}/1`);
    await project.git(['push', '--quiet', 'origin', ...refs.map((ref) => `HEAD:${ref}`), 'HEAD:refs/heads/qoder-orch/run/kept/1']);
    const onRemote = async () => (await project.git(['ls-remote', 'origin', 'refs/heads/qoder-orch/*'])).split('\n').filter(Boolean).length;
    const gitDir = (await project.git(['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
    const deleter = new RemoteRefDeleter('origin');
    for (const ref of refs) deleter.delete(gitDir, [ref]);
    expect(await onRemote()).toBe(41);
    // One deleted meanwhile by someone else.
    await project.git(['push', '--quiet', 'origin', '--delete', refs[7]!]);
    await deleter.flush();
    expect((await project.git(['ls-remote', 'origin', 'refs/heads/qoder-orch/*'])).trim()).toMatch(/\trefs\/heads\/qoder-orch\/run\/kept\/1$/);
    // Nothing left to do: no push.
    await deleter.flush();
    expect(await onRemote()).toBe(1);
  }, 60_000);
});
