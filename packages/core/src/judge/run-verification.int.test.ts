import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REDACTED } from '@qoder-orch/spec';
import { collectProjectChecks, runVerification } from './run-verification';

const directories: string[] = [];
const temporaryDirectory = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-verify-'));
  directories.push(directory);
  return directory;
};
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

const node = process.execPath;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until the condition holds (no fixed sleeps: the machine may be slow). */
async function eventually(condition: () => boolean | Promise<boolean>, attempts = 200): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** A script that starts a sleeping grandchild, records both pids, then sleeps itself. */
const sleeperScript = (pidFile: string) => `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, process.pid + ' ' + child.pid);
console.log('started');
setTimeout(() => {}, 600000);
`;

async function readPids(pidFile: string): Promise<number[]> {
  let text = '';
  await eventually(async () => {
    text = await readFile(pidFile, 'utf8').catch(() => '');
    return text.includes(' ');
  });
  return text.split(' ').map(Number);
}

describe('runVerification', () => {
  it('runs argument vectors without a shell and records exit codes and output', async () => {
    const cwd = await temporaryDirectory();
    const results = await runVerification([[node, '-e', 'console.log("ok $HOME `whoami`"); process.exit(0)'], { command: [node, '-e', 'console.error("broken"); process.exit(3)'] }, ['definitely-not-a-command-qoder-orch']], { cwd });
    expect(results.map((result) => [result.exitCode, result.passed, result.isTimedOut, result.phase])).toEqual([
      [0, true, false, 'task'],
      [3, false, false, 'task'],
      [null, false, false, 'task'],
    ]);
    // No shell expanded anything.
    expect(results[0]?.outputTail).toBe('ok $HOME `whoami`');
    expect(results[1]?.outputTail).toBe('broken');
    expect(results[2]?.outputTail).toMatch(/ENOENT|not found|could not/i);
    expect(results[0]?.command).toEqual([node, '-e', 'console.log("ok $HOME `whoami`"); process.exit(0)']);
  });

  it("reads a real node --test run's pass/fail counts from its whole output", async () => {
    const cwd = await temporaryDirectory();
    const cases = Array.from({ length: 250 }, (_, index) => `test('case ${index} ${'x'.repeat(40)}', () => {});`).join('\n');
    await writeFile(join(cwd, 'many.test.mjs'), `import test from 'node:test';\nimport assert from 'node:assert';\n${cases}\ntest('breaks', () => assert.equal(1, 2));\n`);
    const [result] = await runVerification([[node, '--test', '--test-reporter=tap', 'many.test.mjs']], { cwd, maxOutputChars: 2000 });
    expect(result?.passed).toBe(false);
    expect(result?.outputTail).not.toContain('TAP version 13');
    expect(result?.testSummary).toMatchObject({ runner: 'node-test', total: 251, passed: 250, failed: 1 });
  });

  it('redacts secrets from the output and keeps only its tail', async () => {
    const cwd = await temporaryDirectory();
    const [result] = await runVerification([[node, '-e', 'for (let i = 0; i < 500; i++) console.log("line " + i); console.log("token " + process.env.MY_VALUE + " sk-abcdefghijklmnopqrstuvwx \\u001b[31mred\\u001b[0m")']], {
      cwd,
      env: { MY_VALUE: 'hunter2-very-secret' },
      maxOutputChars: 300,
    });
    expect(result?.outputTail).not.toContain('hunter2-very-secret');
    expect(result?.outputTail).not.toContain('sk-abcdefghijklmnopqrstuvwx');
    expect(result?.outputTail).toContain(`token ${REDACTED} ${REDACTED} red`);
    expect(result?.outputTail).toMatch(/^…\(\d+ characters omitted\)\n/);
    expect(result?.outputTail).not.toContain('line 1\n');
    expect(result?.outputTail.length).toBeLessThan(400);
  });

  it("shows the task's ports in a check's output: the slot environment is not secret", async () => {
    const cwd = await temporaryDirectory();
    const [result] = await runVerification([[node, '-e', 'console.log("port " + process.env.PORT + " range " + process.env.QODER_ORCH_PORT_RANGE + " key " + process.env.OTHER)']], {
      cwd,
      env: { PORT: '41020', QODER_ORCH_PORT_RANGE: '41020-41029', QODER_ORCH_SLOT: '2', OTHER: 'private-value-123' },
    });
    expect(result?.outputTail).toContain(`port 41020 range 41020-41029 key ${REDACTED}`);
  });

  it("redacts the values of the orchestrator's own secret environment variables", async () => {
    const cwd = await temporaryDirectory();
    const previous = process.env.QODER_PERSONAL_ACCESS_TOKEN;
    process.env.QODER_PERSONAL_ACCESS_TOKEN = 'qoder-pat-0123456789';
    try {
      const [result] = await runVerification([[node, '-e', 'console.log("token=" + process.env.QODER_PERSONAL_ACCESS_TOKEN)']], { cwd });
      expect(result?.outputTail).toBe(`token=${REDACTED}`);
    } finally {
      if (previous === undefined) delete process.env.QODER_PERSONAL_ACCESS_TOKEN;
      else process.env.QODER_PERSONAL_ACCESS_TOKEN = previous;
    }
  });

  it('runs a command in a sub-directory and refuses a cwd outside the root', async () => {
    const cwd = await temporaryDirectory();
    await mkdir(join(cwd, 'web'));
    const [inside] = await runVerification([{ command: [node, '-e', 'console.log(process.cwd())'], cwd: 'web' }], { cwd });
    expect(inside?.outputTail.endsWith(`${join('', 'web')}`)).toBe(true);
    for (const outside of ['..', '../elsewhere', '/tmp']) {
      await expect(runVerification([{ command: [node, '-e', '0'], cwd: outside }], { cwd })).rejects.toMatchObject({ code: 'PATH_OUTSIDE_PROJECT' });
    }
  });

  // The timeouts leave a slow machine ample time to start node and write the pid file first.
  it('times out, kills the whole process group and records it', async () => {
    const cwd = await temporaryDirectory();
    const pidFile = join(cwd, 'pids');
    const run = runVerification([{ command: [node, '-e', sleeperScript(pidFile)], timeoutMs: 3000 }, [node, '-e', 'console.log("next")']], { cwd, killGraceMs: 200 });
    const results = await run;
    const pids = await readPids(pidFile);
    expect(pids).toHaveLength(2);
    expect(results[0]).toMatchObject({ passed: false, isTimedOut: true });
    expect(results[0]?.outputTail).toContain('started');
    expect(results[0]?.outputTail).toContain('timed out after 3000 ms');
    // Every command still runs after one failed: it is all evidence.
    expect(results[1]).toMatchObject({ passed: true, outputTail: 'next' });
    expect(await eventually(() => pids.every((pid) => !isAlive(pid)))).toBe(true);
  });

  it('kills the process group and rejects with ABORTED on abort', async () => {
    const cwd = await temporaryDirectory();
    const pidFile = join(cwd, 'pids');
    const controller = new AbortController();
    const run = runVerification([[node, '-e', sleeperScript(pidFile)]], { cwd, abortSignal: controller.signal, killGraceMs: 200 });
    const pids = await readPids(pidFile);
    expect(pids.every(isAlive)).toBe(true);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await eventually(() => pids.every((pid) => !isAlive(pid)))).toBe(true);
    await expect(runVerification([[node, '-e', '0']], { cwd, abortSignal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('force-kills a command that ignores SIGTERM', async () => {
    const cwd = await temporaryDirectory();
    const pidFile = join(cwd, 'pids');
    const script = `process.on('SIGTERM', () => {}); require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, process.pid + ' ' + process.pid); setTimeout(() => {}, 600000);`;
    const [result] = await runVerification([{ command: [node, '-e', script], timeoutMs: 3000 }], { cwd, killGraceMs: 300 });
    const [pid] = await readPids(pidFile);
    expect(result).toMatchObject({ passed: false, isTimedOut: true });
    expect(await eventually(() => !isAlive(pid!))).toBe(true);
  });
});

describe('collectProjectChecks', () => {
  it('runs the project test command with phase "project", and nothing without one', async () => {
    const cwd = await temporaryDirectory();
    expect(await collectProjectChecks({ cwd })).toEqual([]);
    const [result] = await collectProjectChecks({ cwd, command: [node, '-e', 'process.exit(1)'] });
    expect(result).toMatchObject({ phase: 'project', passed: false, exitCode: 1 });
  });
});
