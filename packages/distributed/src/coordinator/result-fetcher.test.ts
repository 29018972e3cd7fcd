import { afterAll, describe, expect, it } from 'vitest';
import { createProjectWithRemote } from '../test/project-fixture';
import { ResultFetcher } from './result-fetcher';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('ResultFetcher (real git, a bare remote)', () => {
  it('fetches results that arrive together, each at its tip with its parents; a missing branch fails alone with REMOTE_RESULT_INVALID; the local refs go on clear', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const tips: Record<string, string> = {};
    for (const name of ['a', 'b', 'c']) {
      await project.git(['commit', '--allow-empty', '--quiet', '-m', name]);
      tips[name] = (await project.git(['rev-parse', 'HEAD'])).trim();
      await project.git(['push', '--quiet', 'origin', `HEAD:refs/heads/qoder-orch/run/${name}/1`]);
    }
    await project.git(['reset', '--hard', '--quiet', 'HEAD~3']);
    const fetcher = new ResultFetcher('origin');
    const results = await Promise.allSettled(['a', 'b', 'missing', 'c'].map((name) => fetcher.fetch(project.projectDir, `qoder-orch/run/${name}/1`)));
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value.tip : (result.reason as { code: string }).code))).toEqual([tips['a'], tips['b'], 'REMOTE_RESULT_INVALID', tips['c']]);
    // Each with its parents (b was made on top of a, c on top of b).
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value.parents : []))).toEqual([[expect.stringMatching(/^[0-9a-f]{40}$/)], [tips['a']], [], [tips['b']]]);
    expect(await project.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/fetched/'])).not.toBe('');
    await fetcher.clear();
    expect(await project.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/fetched/'])).toBe('');
  });

  it('a result gone from the remote (deleted once brought back) is read from the local ref a stopped coordinator fetched it to; without one it is REMOTE_RESULT_INVALID', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    await project.git(['commit', '--allow-empty', '--quiet', '-m', 'result']);
    const tip = (await project.git(['rev-parse', 'HEAD'])).trim();
    await project.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/qoder-orch/run/a/1']);
    // The first coordinator fetched it and stopped without closing; then the branch was deleted from the remote.
    expect((await new ResultFetcher('origin').fetch(project.projectDir, 'qoder-orch/run/a/1')).tip).toBe(tip);
    await project.git(['push', '--quiet', 'origin', '--delete', 'refs/heads/qoder-orch/run/a/1']);
    const resumed = new ResultFetcher('origin');
    expect((await resumed.fetch(project.projectDir, 'qoder-orch/run/a/1')).tip).toBe(tip);
    await resumed.clear();
    await expect(new ResultFetcher('origin').fetch(project.projectDir, 'qoder-orch/run/a/1')).rejects.toMatchObject({ code: 'REMOTE_RESULT_INVALID' });
  });
});
