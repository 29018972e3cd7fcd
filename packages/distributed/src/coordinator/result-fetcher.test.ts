import { observeGitSpawns } from '@qoder-orch/core';
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

  it('fetches at most once per interval: results that arrive meanwhile go together in the next fetch; one after a quiet interval goes at once', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const names = ['a', 'b', 'c', 'd'];
    for (const name of names) {
      await project.git(['commit', '--allow-empty', '--quiet', '-m', name]);
      await project.git(['push', '--quiet', 'origin', `HEAD:refs/heads/qoder-orch/run/${name}/1`]);
    }
    const fetches: number[] = [];
    const startedAt = Date.now();
    const stop = observeGitSpawns((spawn) => {
      if (spawn.args.includes('fetch')) fetches.push(Date.now() - startedAt);
    });
    try {
      const fetcher = new ResultFetcher('origin', { intervalMs: 600 });
      const first = fetcher.fetch(project.projectDir, 'qoder-orch/run/a/1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const later = [fetcher.fetch(project.projectDir, 'qoder-orch/run/b/1')];
      await new Promise((resolve) => setTimeout(resolve, 50));
      later.push(fetcher.fetch(project.projectDir, 'qoder-orch/run/c/1'));
      await Promise.all([first, ...later]);
      // a at once; b and c together, once the interval since a's fetch began is over.
      expect(fetches).toHaveLength(2);
      expect(fetches[1]! - fetches[0]!).toBeGreaterThanOrEqual(590);
      // Long after the last fetch, a result is fetched without waiting.
      await new Promise((resolve) => setTimeout(resolve, 650));
      const requestedAt = Date.now() - startedAt;
      await fetcher.fetch(project.projectDir, 'qoder-orch/run/d/1');
      expect(fetches).toHaveLength(3);
      expect(fetches[2]! - requestedAt).toBeLessThan(300);
      await fetcher.clear();
    } finally {
      stop();
    }
  });
});
