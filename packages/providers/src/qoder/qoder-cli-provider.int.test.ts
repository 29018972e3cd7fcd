import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createQoderCli } from '../index';
import { failureOf, installQoderStub, processesWithEnvironment } from '../test/index';
import { readEnvFile } from '@qoder-orch/spec';

const stub = installQoderStub();
const scratch = mkdtempSync(join(tmpdir(), 'qoder-int-'));
afterAll(() => {
  rmSync(dirname(stub), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

function repository(): string {
  const directory = mkdtempSync(join(scratch, 'repo-'));
  execFileSync('git', ['init', '-q'], { cwd: directory });
  return directory;
}

const token = `qoder-pat-${randomUUID()}`;

describe('Qoder CLI provider against a stub reproducing the real output shapes', () => {
  it('runs a task with the token in the environment only, the prompt verbatim, and flags mapped to Qoder names', async () => {
    const cwd = repository();
    const record = join(scratch, `record-${randomUUID()}.json`);
    const prompt = `[qoder-orch:task t1] [stub:write:src/a.txt] "quotes" $(rm -rf /) \`ls\`\nünïcödé 🚀`;
    const provider = createQoderCli({ executable: stub, env: { QODER_PERSONAL_ACCESS_TOKEN: token, QODER_STUB_RECORD: record } });
    const result = await provider.doRunTask({ taskId: 't1', prompt, cwd, permissionMode: 'acceptEdits', allowedTools: ['Read', 'Write'], systemPrompt: 'Be brief.', model: 'auto' });
    expect(readFileSync(join(cwd, 'src', 'a.txt'), 'utf8')).toBe('written by the qoder stub\n');
    expect(result).toMatchObject({ usage: { inputTokens: 120, outputTokens: 40, cacheReadTokens: 30 }, costUsd: 0.0042, numTurns: 2 });
    expect(result.summary).toContain('Done: [qoder-orch:task t1]');
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; cwd: string; prompt: string; hasToken: boolean; isTokenInArgv: boolean };
    expect(seen.prompt).toBe(prompt);
    expect(seen.hasToken).toBe(true);
    expect(seen.isTokenInArgv).toBe(false);
    expect(seen.argv).toEqual(expect.arrayContaining(['-p', '--output-format', 'json', '--permission-mode', 'accept_edits', '--allowed-tools', 'Read,Write', '--append-system-prompt', 'Be brief.', '--model', 'auto']));
    expect(result.sessionId).toBe(seen.argv[seen.argv.indexOf('--session-id') + 1]);
  });

  it('parses the stream-json output format into events', async () => {
    const events: string[] = [];
    const provider = createQoderCli({ executable: stub, env: { QODER_PERSONAL_ACCESS_TOKEN: token }, outputFormat: 'stream-json' });
    const result = await provider.doRunTask({ taskId: 't2', prompt: 'hello', cwd: repository(), onEvent: (event) => events.push(event.type) });
    expect(result.summary).toBe('Done: hello');
    expect(events).toEqual(['status', 'text']);
  });

  it('turns "Not logged in" into AUTH with the fix, and never shows the token', async () => {
    const provider = createQoderCli({ executable: stub, projectDir: scratch });
    const error = await failureOf(provider.doRunTask({ taskId: 't3', prompt: 'hello', cwd: repository() }));
    expect(error.code).toBe('AUTH');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('Not logged in');
    expect(error.fix).toContain('QODER_PERSONAL_ACCESS_TOKEN');
  });

  it("reads the token from the project's .env.local", async () => {
    const project = repository();
    writeFileSync(join(project, '.env.local'), `# local secrets\nOTHER=1\nQODER_PERSONAL_ACCESS_TOKEN="${token}"\n`);
    const record = join(scratch, `record-${randomUUID()}.json`);
    const provider = createQoderCli({ executable: stub, projectDir: project, env: { QODER_STUB_RECORD: record } });
    await provider.doRunTask({ taskId: 't4', prompt: 'hello', cwd: repository() });
    expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ hasToken: true, isTokenInArgv: false });
    const check = await provider.doCheck!({});
    expect(check).toMatchObject({ installed: true, version: '1.1.52', authenticated: true });
  });

  it('reports an execution error as a retryable failure with the spend', async () => {
    const provider = createQoderCli({ executable: stub, env: { QODER_PERSONAL_ACCESS_TOKEN: token } });
    const error = await failureOf(provider.doRunTask({ taskId: 't5', prompt: '[stub:error]', cwd: repository() }));
    expect(error).toMatchObject({ code: 'OVERLOADED', isRetryable: true, exitCode: 1 });
    expect(error.message).toContain('503');
    expect(error.message).not.toContain(token);
  });

  it('reports permission denials as a failure', async () => {
    const provider = createQoderCli({ executable: stub, env: { QODER_PERSONAL_ACCESS_TOKEN: token } });
    const error = await failureOf(provider.doRunTask({ taskId: 't6', prompt: '[stub:denied]', cwd: repository() }));
    expect(error.code).toBe('PERMISSION_DENIED');
  });

  it('extracts a JSON answer for a completion and disables tools', async () => {
    const record = join(scratch, `record-${randomUUID()}.json`);
    const provider = createQoderCli({ executable: stub, env: { QODER_PERSONAL_ACCESS_TOKEN: token, QODER_STUB_RECORD: record } });
    const result = await provider.doComplete({ prompt: '[qoder-orch:plan] [stub:json]', jsonSchema: { type: 'object' } });
    expect(result.json).toEqual({ ok: true, tasks: [] });
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[] };
    expect(seen.argv[seen.argv.indexOf('--tools') + 1]).toBe('');
  });

  it('kills a hanging run and its children at the timeout', async () => {
    const marker = randomUUID();
    const provider = createQoderCli({ executable: stub, env: { QODER_PERSONAL_ACCESS_TOKEN: token }, killGraceMs: 300 });
    const error = await failureOf(provider.doRunTask({ taskId: 't7', prompt: '[stub:hang]', cwd: repository(), timeoutMs: 1_500, env: { QODER_ORCH_TEST_RUN: marker } }));
    expect(error).toMatchObject({ code: 'TIMEOUT', isTimedOut: true });
    expect(processesWithEnvironment('QODER_ORCH_TEST_RUN', marker)).toEqual([]);
  });

  it('fails with NOT_INSTALLED when the executable is missing', async () => {
    const provider = createQoderCli({ executable: join(scratch, 'missing', 'qodercli') });
    expect((await failureOf(provider.doRunTask({ taskId: 't8', prompt: 'x', cwd: scratch }))).code).toBe('NOT_INSTALLED');
    expect((await provider.doCheck!({})).installed).toBe(false);
  });
});

/** The real Qoder CLI needs Qoder's servers and an account: it runs only with a token. */
const liveToken = process.env['QODER_PERSONAL_ACCESS_TOKEN'] ?? readEnvFile(join(process.cwd(), '.env.local'))['QODER_PERSONAL_ACCESS_TOKEN'];
const liveExecutable = createQoderCli();

describe.skipIf(!liveToken)('Qoder CLI live (skipped: needs QODER_PERSONAL_ACCESS_TOKEN in the environment or .env.local, and network access to Qoder)', () => {
  it('answers a short prompt and writes a file', async () => {
    const check = await liveExecutable.doCheck!({});
    expect(check.installed, check.problems.map((problem) => problem.message).join('; ')).toBe(true);
    const cwd = repository();
    const result = await liveExecutable.doRunTask({
      taskId: 'live',
      prompt: 'Create a file named hello.txt containing exactly the word hello. Then reply with "done".',
      cwd,
      allowedTools: ['Write'],
      timeoutMs: 180_000,
    });
    expect(result.summary.length).toBeGreaterThan(0);
    expect(existsSync(join(cwd, 'hello.txt'))).toBe(true);
  }, 200_000);
});
