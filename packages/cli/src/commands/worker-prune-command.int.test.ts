import { join } from 'node:path';
import { FileRunStore, type RunState } from '@qoder-orch/core';
import { createProjectWithRemote } from '@qoder-orch/distributed/test';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli';
import { captureIo } from '../testing/capture-output';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const stampOf = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

describe('qoder-orchestrate worker prune (real git, a bare remote)', () => {
  it("deletes the remote refs of runs finished in the journal or older than --older-than, and keeps an interrupted run's", async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': '.qoder-orch/\n' });
    cleanups.push(project.cleanup);
    const now = new Date();
    const finished = `${stampOf(now)}-aaaaaa`;
    const interrupted = `${stampOf(now)}-bbbbbb`;
    const old = `${stampOf(new Date(now.getTime() - 3 * 24 * 3600 * 1000))}-cccccc`;
    const store = new FileRunStore({ directory: join(project.projectDir, '.qoder-orch', 'runs') });
    for (const [runId, status] of [
      [finished, 'met'],
      [interrupted, 'running'],
    ] as const) {
      const state = { version: 1, runId, objective: 'x', projectDir: project.projectDir, status, startedAt: now.toISOString(), updatedAt: now.toISOString(), iteration: 1, plans: [], tasks: {} } as unknown as RunState;
      await store.createRun(state);
    }
    const head = (await project.git(['rev-parse', 'HEAD'])).trim();
    const refsOf = (runId: string) => [`refs/heads/qoder-orch/${runId}/api/1`, `refs/qoder-orch/base/${runId}/${head}`];
    await project.git(['push', '--quiet', 'origin', ...[finished, interrupted, old].flatMap(refsOf).map((ref) => `HEAD:${ref}`)]);
    const onRemote = async () =>
      (await project.git(['ls-remote', 'origin']))
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[1])
        .sort();

    const young = captureIo({ cwd: project.projectDir });
    expect(await runCli(['worker', 'prune', '--remote', 'origin', '--older-than', '4d'], young)).toBe(0);
    expect(young.stdout.text()).toContain('Deleted 2 ref(s)');
    expect(await onRemote()).toEqual([...refsOf(interrupted), ...refsOf(old)].sort());

    const io = captureIo({ cwd: project.projectDir });
    expect(await runCli(['worker', 'prune', '--older-than', '2d', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.text())).toMatchObject({ type: 'pruned', deleted: refsOf(old).sort(), keptRuns: [interrupted] });
    expect(await onRemote()).toEqual(refsOf(interrupted).sort());
  }, 60_000);
});
