import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MockAgentProvider } from '@qoder-orch/core/test';
import { createProjectWithRemote, MONOREPO_ROOT, redisTestSuite } from '@qoder-orch/distributed/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli';
import { captureIo } from '../testing/capture-output';

const BIN = fileURLToPath(new URL('../bin.ts', import.meta.url));
const STUB_AGENT = fileURLToPath(new URL('../../../distributed/src/test/stub-agent-provider.ts', import.meta.url));
const redis = redisTestSuite("the worker command's integration tests");
const { missing, cleanups } = redis;
beforeAll(() => redis.setUp());
afterAll(() => redis.tearDown());

/** `qoder-orchestrate worker` in its own process; resolves once it says it is ready. */
async function startCliWorker(workdir: string, queue: string): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'worker', '--redis', redis.url, '--workdir', workdir, '--queue', queue, '--llm-provider', STUB_AGENT, '--json'], {
    cwd: MONOREPO_ROOT,
    env: { ...process.env, QODER_ORCH_STUB_DELAY_MS: '300' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready: ${stderr}`)), 90_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      if (lines.some((line) => line.includes('"worker-ready"'))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`worker exited: ${stderr}`)));
  });
  return { child, lines };
}

const planner = (ids: string[]) =>
  new MockAgentProvider({
    complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : JSON.stringify({ tasks: ids.map((id) => ({ id, title: `Do ${id}`, agent: 'backend-dev', files: [`src/${id}.txt`] })) })),
  });

describe.skipIf(missing !== undefined)('qoder-orchestrate worker and --redis', () => {
  it('a run with --redis whose Redis does not answer fails before planning, saying where it looked', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': '.qoder-orch/\n' });
    cleanups.push(project.cleanup);
    const provider = planner(['one']);
    const io = captureIo({ cwd: project.projectDir });
    const exitCode = await runCli(['Build it', '--redis', 'redis://:s3cret-pass@127.0.0.1:1', '--project-dir', project.projectDir], io, { provider });
    expect(exitCode).toBe(2);
    expect(io.stderr.text()).toContain('Redis at 127.0.0.1:1 did not answer');
    expect(io.stderr.text()).not.toContain('s3cret-pass');
    expect(provider.calls.complete).toHaveLength(0);
    const worker = captureIo({ cwd: project.root });
    expect(await runCli(['worker', '--redis', 'redis://127.0.0.1:1', '--workdir', join(project.root, 'w')], worker)).toBe(2);
    expect(worker.stderr.text()).toContain('did not answer');
  });

  it('queue execution chosen in .qoder-orchestrate.yaml (queue.redis) goes through the same check, and --redis wins over it', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': '.qoder-orch/\n', '.qoder-orchestrate.yaml': 'queue:\n  redis: redis://127.0.0.1:1\n  remote: origin\n' });
    cleanups.push(project.cleanup);
    const provider = planner(['one']);
    const io = captureIo({ cwd: project.projectDir });
    expect(await runCli(['Build it', '--project-dir', project.projectDir], io, { provider })).toBe(2);
    expect(io.stderr.text()).toContain('Redis at 127.0.0.1:1 did not answer');
    expect(provider.calls.complete).toHaveLength(0);
    const flagged = captureIo({ cwd: project.projectDir });
    expect(await runCli(['Build it', '--redis', 'redis://127.0.0.1:2', '--project-dir', project.projectDir], flagged, { provider })).toBe(2);
    expect(flagged.stderr.text()).toContain('Redis at 127.0.0.1:2 did not answer');
  });

  it('three `worker` processes and a run with --redis --remote: met, every task done on a worker and merged once', async () => {
    const project = await createProjectWithRemote({ 'README.md': '# app\n', '.gitignore': '.qoder-orch/\n' });
    cleanups.push(project.cleanup);
    const workers = await Promise.all([1, 2, 3].map((index) => startCliWorker(join(project.root, `worker-${index}`), 'cli-run')));
    const ids = ['api', 'web', 'docs', 'cli'];
    const io = captureIo({ cwd: project.projectDir });
    const exitCode = await runCli(['Build it', '--redis', redis.url, '--queue', 'cli-run', '--remote', 'origin', '--project-dir', project.projectDir, '--max-parallel', '4', '--max-iterations', '1', '--json'], io, {
      provider: planner(ids),
      overrides: { execution: { testCommand: ['node', '-e', '0'] }, validation: { commandPolicy: { mode: 'refuse', allow: ['node -e 0'] } } },
    });
    expect(exitCode, io.stderr.text()).toBe(0);
    for (const id of ids) expect(await readFile(join(project.projectDir, 'src', `${id}.txt`), 'utf8')).toMatch(new RegExp(`^${id} by \\d+\\n$`));
    const ends = workers.flatMap((worker) => worker.lines.map((line) => JSON.parse(line) as { type: string; jobId?: string; isOk?: boolean }).filter((line) => line.type === 'job-end'));
    expect(
      ends
        .filter((line) => line.isOk)
        .map((line) => line.jobId!.split('/')[1])
        .sort(),
    ).toEqual([...ids].sort());
    const merged = (await project.git(['log', '--merges', '--format=%s', 'main'])).split('\n');
    for (const id of ids) expect(merged.filter((subject) => subject === `Do ${id}`)).toHaveLength(1);
  }, 240_000);
});
