import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProjectWithRemote } from '../test/project-fixture';
import { pruneRemoteRefs, runRefOf, runStartedAt } from './remote-ref-prune';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('pruneRemoteRefs (real git, a bare remote)', () => {
  it("deletes the prunable runs' result branches and bases on the remote in one push, and their local fetched refs; other runs and other refs stay", async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n' });
    cleanups.push(project.cleanup);
    const head = (await project.git(['rev-parse', 'HEAD'])).trim();
    const refsOf = (runId: string) => [`refs/heads/qoder-orch/${runId}/api/1`, `refs/heads/qoder-orch/${runId}/web/2`, `refs/qoder-orch/base/${runId}/${head}`];
    const runs = ['20200101-000000-aaaaaa', 'finished-run', 'live-run'];
    await project.git(['push', '--quiet', 'origin', ...runs.flatMap(refsOf).map((ref) => `HEAD:${ref}`), 'HEAD:refs/heads/feature', 'HEAD:refs/heads/qoder-orch/not-a-result']);
    // A killed coordinator's fetched results, kept in the project's repository.
    for (const runId of runs) await project.git(['update-ref', `refs/qoder-orch/fetched/qoder-orch/${runId}/api/1`, head]);
    // Each push the remote takes is counted.
    const hook = join(project.remote, 'hooks', 'pre-receive');
    await writeFile(hook, `#!/bin/sh\necho push >> "${project.remote}/pushes"\n`);
    await chmod(hook, 0o755);
    const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
    const isPrunable = (runId: string) => runId === 'finished-run' || (runStartedAt(runId)?.getTime() ?? Number.POSITIVE_INFINITY) < weekAgo;

    const dry = await pruneRemoteRefs({ cwd: project.projectDir, remote: 'origin', isPrunable, isDryRun: true });
    expect(dry.deleted.sort()).toEqual([...refsOf(runs[0]!), ...refsOf('finished-run')].sort());
    expect((await project.git(['ls-remote', 'origin'])).split('\n')).toHaveLength(runs.length * 3 + 2);

    const pruned = await pruneRemoteRefs({ cwd: project.projectDir, remote: 'origin', isPrunable });
    expect(pruned.keptRuns).toEqual(['live-run']);
    expect(pruned.deletedLocal.sort()).toEqual([`refs/qoder-orch/fetched/qoder-orch/${runs[0]}/api/1`, 'refs/qoder-orch/fetched/qoder-orch/finished-run/api/1']);
    const left = (await project.git(['ls-remote', 'origin'])).split('\n').map((line) => line.split('\t')[1]);
    expect(left.sort()).toEqual(['refs/heads/feature', 'refs/heads/qoder-orch/not-a-result', ...refsOf('live-run')].sort());
    expect((await readFile(join(project.remote, 'pushes'), 'utf8')).trim().split('\n')).toHaveLength(1);
    expect((await project.git(['for-each-ref', '--format=%(refname)', 'refs/qoder-orch/fetched/'])).trim()).toBe('refs/qoder-orch/fetched/qoder-orch/live-run/api/1');
  }, 60_000);

  it("reads runs' refs and the start of an orchestrator's run id", () => {
    expect(runRefOf('refs/heads/qoder-orch/r/t/1')).toEqual({ ref: 'refs/heads/qoder-orch/r/t/1', runId: 'r', kind: 'result', jobId: 'r/t/1' });
    expect(runRefOf(`refs/qoder-orch/base/r/${'a'.repeat(40)}`)).toMatchObject({ runId: 'r', kind: 'base' });
    expect(runRefOf('refs/heads/qoder-orch/feature')).toBeUndefined();
    expect(runRefOf('refs/qoder-orch/base/r/main')).toBeUndefined();
    expect(runStartedAt('20261125-174512-ab12cd')?.toISOString()).toBe('2026-11-25T17:45:12.000Z');
    expect(runStartedAt('run-1')).toBeUndefined();
  });
});
