import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isProcessRunning } from '../test/index';
import { runAgentProcess } from './run-agent-process';

const directory = mkdtempSync(join(tmpdir(), 'agent-process-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Writes a small Node script used as a fake agent process. */
function script(name: string, source: string): string {
  const path = join(directory, `${name}.mjs`);
  writeFileSync(path, source);
  return path;
}

const env = { PATH: process.env['PATH'] ?? '' };
const run = (file: string, extra: Partial<Parameters<typeof runAgentProcess>[0]> = {}) => runAgentProcess({ executable: process.execPath, args: [file], cwd: directory, env, killGraceMs: 300, ...extra });

/** A script that starts a long `sleep` in its process group and writes its pid to a file. */
const spawnsSleeper = (pidFile: string, tail: string) => `
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const child = spawn('sleep', ['300'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
console.log('started');
${tail}
`;

/**
 * The process is gone, or about to be: a SIGKILL sent is final, but on a busy machine the
 * process can still be listed as running for a moment before the kernel schedules its death
 * (seen on CI: listed right after the run returned). Waits up to 5 s.
 */
async function expectGone(pid: number): Promise<void> {
  await vi.waitFor(() => expect(isProcessRunning(pid)).toBe(false), { timeout: 5_000, interval: 20 });
}

describe('runAgentProcess', () => {
  it('a warm start waits on stdin for its input: its timeout and stall clocks start when the input is written', async () => {
    const file = script(
      'warm',
      `
console.log('up');
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => console.log('got ' + input));
`,
    );
    let deliver: (text: string | undefined) => void = () => undefined;
    const input = new Promise<string | undefined>((resolve) => (deliver = resolve));
    const lines: string[] = [];
    // Both clocks are shorter than the wait before the input: counted from the spawn, either would end the run.
    const running = run(file, { input, timeoutMs: 1_500, stallTimeoutMs: 400, onStdoutLine: (line) => lines.push(line) });
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(lines).toEqual(['up']);
    deliver('the prompt');
    const result = await running;
    expect(result).toMatchObject({ exitCode: 0, isTimedOut: false, isStalled: false, isCanceled: false });
    expect(lines).toEqual(['up', 'got the prompt']);
    expect(result.durationMs).toBeLessThan(1_500);
  });

  it('a warm start given no input ends unused, as canceled, with its process tree', async () => {
    const pidFile = join(directory, 'warm-unused.pid');
    const file = script('warm-unused', spawnsSleeper(pidFile, 'process.stdin.resume();'));
    let deliver: (text: string | undefined) => void = () => undefined;
    const input = new Promise<string | undefined>((resolve) => (deliver = resolve));
    const running = run(file, { input });
    for (let waited = 0; waited < 5_000; waited += 50) {
      try {
        readFileSync(pidFile, 'utf8');
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    deliver(undefined);
    const result = await running;
    expect(result.isCanceled).toBe(true);
    await expectGone(Number(readFileSync(pidFile, 'utf8')));
  });

  it('streams stdout lines and passes stdin and the exit code', async () => {
    const file = script(
      'echo',
      `
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => { console.log('line one'); console.log(JSON.stringify(input)); process.stderr.write('warn\\n'); process.exit(3); });
`,
    );
    const lines: string[] = [];
    const result = await run(file, { input: 'a "quoted" $(x) `y`\nünï', onStdoutLine: (line) => lines.push(line) });
    expect(lines).toEqual(['line one', JSON.stringify('a "quoted" $(x) `y`\nünï')]);
    expect(result.exitCode).toBe(3);
    expect(result.stderrTail).toContain('warn');
    expect(result.isTimedOut).toBe(false);
  });

  it('kills the whole process tree on the outer timeout, even a child that ignores SIGTERM', async () => {
    const pidFile = join(directory, 'timeout.pid');
    const file = script('timeout', spawnsSleeper(pidFile, "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"));
    const result = await run(file, { timeoutMs: 3_000 });
    expect(result.isTimedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(isProcessRunning(result.pid!)).toBe(false);
    await expectGone(Number(readFileSync(pidFile, 'utf8')));
  });

  it('kills a process that stops printing (stall watchdog)', async () => {
    const file = script('stall', "console.log('one line'); setInterval(() => {}, 1000);");
    const result = await run(file, { stallTimeoutMs: 800, timeoutMs: 60_000 });
    expect(result.isStalled).toBe(true);
    expect(result.isTimedOut).toBe(false);
    expect(result.stdout).toContain('one line');
  });

  it('leaves a silent process alone while it says it is busy', async () => {
    const file = script('busy', "console.log('working'); setTimeout(() => console.log('finished'), 1500);");
    const result = await run(file, { stallTimeoutMs: 400, timeoutMs: 60_000, isBusy: () => true });
    expect(result.isStalled).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('finished');
  });

  it('kills the tree when the abort signal fires', async () => {
    const pidFile = join(directory, 'abort.pid');
    const file = script('abort', spawnsSleeper(pidFile, 'setInterval(() => {}, 1000);'));
    const controller = new AbortController();
    const result = await run(file, { abortSignal: controller.signal, onStdoutLine: () => controller.abort() });
    expect(result.isCanceled).toBe(true);
    await expectGone(Number(readFileSync(pidFile, 'utf8')));
  });

  it('does not start at all when already aborted', async () => {
    const result = await run(script('never', "console.log('ran')"), { abortSignal: AbortSignal.abort() });
    expect(result).toMatchObject({ isCanceled: true, pid: undefined, stdout: '' });
  });

  it('kills what the process left running in its group when it exits, even if it holds our pipes', async () => {
    const pidFile = join(directory, 'leftover.pid');
    const file = script(
      'leftover',
      `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const child = spawn('sleep', ['300'], { stdio: 'inherit' });
writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
child.unref();
console.log('leaving');
process.exit(0);`,
    );
    const result = await run(file, { timeoutMs: 60_000 });
    expect(result.exitCode).toBe(0);
    expect(result.isTimedOut).toBe(false);
    await expectGone(Number(readFileSync(pidFile, 'utf8')));
  });

  it('kills what the process left running in a session of its own when it exits (found by its tag)', async () => {
    const pidFile = join(directory, 'escaped.pid');
    const file = script(
      'escaped',
      `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
child.unref();
process.exit(0);`,
    );
    const result = await run(file, { timeoutMs: 60_000 });
    expect(result.exitCode).toBe(0);
    // Nothing holds our pipes here, so the run may return before the kernel has ended the signalled
    // process: give it a moment (one that was never signalled sleeps on for 300 s).
    const pid = Number(readFileSync(pidFile, 'utf8'));
    for (let waited = 0; isProcessRunning(pid) && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isProcessRunning(pid)).toBe(false);
  });

  it('tells a missing working directory apart from a missing executable', async () => {
    const result = await runAgentProcess({ executable: process.execPath, args: ['-e', ''], cwd: join(directory, 'no-such-directory'), env, killGraceMs: 100 });
    expect(result.spawnErrorCode).toBe('ENOCWD');
  });

  it('reports a missing executable as a spawn error', async () => {
    const result = await runAgentProcess({ executable: join(directory, 'no-such-cli'), args: [], cwd: directory, env, killGraceMs: 100 });
    expect(result.spawnErrorCode).toBe('ENOENT');
  });
});
