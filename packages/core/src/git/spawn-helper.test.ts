import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '@qoder-orch/spec';
import { runGit, tryGit } from './git-client';
import { SpawnHelper } from './spawn-helper';
import { spawnHelpersForTesting } from './spawn-helpers';
import { createTemporaryRepository } from './testing/temporary-repository';

const NODE = process.execPath;
const helpers: SpawnHelper[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const helper of helpers.splice(0)) helper.stop();
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  spawnHelpersForTesting.reset();
  delete process.env.QODER_ORCH_GIT_SPAWN;
});

function helper(): SpawnHelper {
  const created = new SpawnHelper(() => undefined);
  helpers.push(created);
  return created;
}

const base = { cwd: process.cwd(), env: { PATH: process.env.PATH ?? '' }, label: 'node' };

describe('SpawnHelper', () => {
  it('starts a process with an argument vector (no shell), gives it input and the environment, and answers its exit code and output', async () => {
    const script = 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stdout.write(JSON.stringify([process.argv[1],s,process.env.HELPER_TEST]));process.stderr.write("err");process.exit(3)})';
    const exit = await helper().run({ ...base, file: NODE, args: ['-e', script, '$(echo no shell); *'], env: { ...base.env, HELPER_TEST: 'passed' }, input: 'in\0put' });
    expect(exit.exitCode).toBe(3);
    expect(JSON.parse(exit.stdout.toString('utf8'))).toEqual(['$(echo no shell); *', 'in\0put', 'passed']);
    expect(exit.stderr.toString('utf8')).toBe('err');
  });

  it('carries outputs over 1 MB byte for byte, several at once', async () => {
    const running = helper();
    const script = 'const b=Buffer.alloc(3*1024*1024+7);for(let i=0;i<b.length;i++)b[i]=(i*31+Number(process.argv[1]))%256;process.stdout.write(b)';
    const exits = await Promise.all([1, 2, 3].map((seed) => running.run({ ...base, file: NODE, args: ['-e', script, String(seed)] })));
    exits.forEach((exit, index) => {
      expect(exit.stdout.length).toBe(3 * 1024 * 1024 + 7);
      expect(exit.stdout[1000]).toBe((1000 * 31 + index + 1) % 256);
      expect(exit.stdout.at(-1)).toBe(((exit.stdout.length - 1) * 31 + index + 1) % 256);
    });
  });

  it('reports a process that cannot start as an error with its code', async () => {
    await expect(helper().run({ ...base, file: 'qoder-orch-no-such-program', args: [] })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ends the process when the request is aborted', async () => {
    const running = helper();
    const controller = new AbortController();
    const pending = running.run({ ...base, file: NODE, args: ['-e', 'setTimeout(() => {}, 60_000)'], abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    // The helper is still usable, and nothing keeps running in it.
    const exit = await running.run({ ...base, file: NODE, args: ['-e', 'process.stdout.write("after")'] });
    expect(exit.stdout.toString()).toBe('after');
    expect(running.load).toBe(0);
  });

  it('fails a request whose process was running when the helper died with GIT_ERROR, and one it never started as unavailable', async () => {
    const running = helper();
    const marker = join(await mkdtemp(join(tmpdir(), 'qoder-orch-helper-')), 'started');
    cleanups.push(() => rm(dirname(marker), { recursive: true, force: true }));
    const script = `require("fs").writeFileSync(${JSON.stringify(marker)}, "");setTimeout(() => {}, 60_000)`;
    const pending = running.run({ ...base, file: NODE, args: ['-e', script], label: 'git status', env: { ...base.env, SECRET_TOKEN: 'sekrit-value' } });
    while (!existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 20));
    running.stop();
    const error = await pending.catch((caught: unknown) => caught);
    expect(OrchestratorError.isInstance(error) && error.code).toBe('GIT_ERROR');
    expect(String((error as Error).message)).toContain('git status');
    expect(String((error as Error).message)).not.toContain('sekrit-value');
    await expect(running.run({ ...base, file: NODE, args: ['-e', ''] })).rejects.toMatchObject({ name: 'HelperUnavailableError' });
  });
});

describe('git through the spawn helpers', () => {
  it('runs git through a helper, recovers on a fresh helper after one is killed, and runs directly with QODER_ORCH_GIT_SPAWN=direct', async () => {
    const repo = await createTemporaryRepository();
    cleanups.push(repo.cleanup);
    const commit = await repo.commitAll('first');
    expect((await runGit(repo.root, ['rev-parse', 'HEAD'])).trim()).toBe(commit);
    const [first] = spawnHelpersForTesting.pids();
    expect(first).toBeGreaterThan(0);
    process.kill(first!, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await tryGit(repo.root, ['rev-parse', 'HEAD'])).isOk).toBe(true);
    expect(spawnHelpersForTesting.pids()).not.toContain(first);
    expect(spawnHelpersForTesting.pids().length).toBeGreaterThan(0);
    spawnHelpersForTesting.reset();
    process.env.QODER_ORCH_GIT_SPAWN = 'direct';
    expect((await runGit(repo.root, ['rev-parse', 'HEAD'])).trim()).toBe(commit);
    expect(spawnHelpersForTesting.pids()).toEqual([]);
  });

  it('gives git its input and answers a missing ref as git does', async () => {
    const repo = await createTemporaryRepository();
    cleanups.push(repo.cleanup);
    const blob = (await runGit(repo.root, ['hash-object', '-w', '--stdin'], { input: 'hello\n' })).trim();
    expect(blob).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(await tryGit(repo.root, ['rev-parse', '-q', '--verify', 'refs/heads/none'])).toEqual({ isOk: true, output: '' });
    await expect(runGit(repo.root, ['cat-file', '-t', 'deadbeef'])).rejects.toMatchObject({ code: 'GIT_ERROR' });
  });
});
