import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@qoder-orch/spec';
import { createCodexCli, findExecutable } from '../index';
import { type FakeCodexRequest, createFakeCodexServer, failureOf, fakeCodexCliSettings, processesWithEnvironment } from '../test/index';
import type { FakeCodexReply } from '../test/index';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function repository(): string {
  const directory = mkdtempSync(join(tmpdir(), 'codex-int-'));
  execFileSync('git', ['init', '-q'], { cwd: directory });
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

async function server(handler: (request: FakeCodexRequest, index: number) => FakeCodexReply | string) {
  let count = 0;
  const created = await createFakeCodexServer({ handler: (request) => handler(request, count++) });
  cleanups.push(() => created.close());
  return created;
}

describe.skipIf(!findExecutable(['codex']))('Codex CLI provider, real codex against the fake Responses API', () => {
  it('runs a shell tool call that writes a file, then reports the answer, usage and thread id', async () => {
    const cwd = repository();
    const fake = await server((_request, index) => (index === 0 ? { type: 'function-call', name: 'exec_command', arguments: { cmd: 'printf "made by codex" > made.txt' } } : 'Created made.txt.'));
    const events: AgentEvent[] = [];
    const prompt = `[qoder-orch:task c1] write "made.txt" — $(not run) \`nor this\`\nünï 🚀`;
    const result = await createCodexCli(fakeCodexCliSettings(fake)).doRunTask({ taskId: 'c1', prompt, cwd, onEvent: (event) => events.push(event) });
    expect(readFileSync(join(cwd, 'made.txt'), 'utf8')).toBe('made by codex');
    expect(result.summary).toBe('Created made.txt.');
    expect(result.usage).toMatchObject({ inputTokens: 20, outputTokens: 10 });
    expect(result.sessionId).toBeTruthy();
    expect(fake.requests[0]?.lastUserText).toContain(prompt);
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool-call', toolName: 'command_execution' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool-result', isError: false }));
  });

  it("resumes a thread: the second run carries the first one's turns", async () => {
    const fake = await server((request) => `inputs=${Array.isArray((request.body as { input?: unknown[] }).input) ? (request.body as { input: unknown[] }).input.length : 0}`);
    const configDir = mkdtempSync(join(tmpdir(), 'codex-int-home-'));
    cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
    const provider = createCodexCli({ ...fakeCodexCliSettings(fake), isolateConfig: false, configDir });
    const cwd = repository();
    const first = await provider.doRunTask({ taskId: 'c4', prompt: 'first', cwd });
    const second = await provider.doRunTask({ taskId: 'c4', prompt: 'second', cwd, resumeSessionId: first.sessionId! });
    expect(second.sessionId).toBe(first.sessionId);
    expect(Number(second.summary.split('=')[1])).toBeGreaterThan(Number(first.summary.split('=')[1]));
  });

  it('answers a completion with JSON', async () => {
    const fake = await server(() => '{"tasks": [{"id": "a"}]}');
    const result = await createCodexCli(fakeCodexCliSettings(fake)).doComplete({
      prompt: '[qoder-orch:plan] plan it',
      jsonSchema: { type: 'object', properties: { tasks: { type: 'array' } }, required: ['tasks'], additionalProperties: false },
    });
    expect(result.json).toEqual({ tasks: [{ id: 'a' }] });
    expect(fake.requests[0]?.body).toMatchObject({ text: { format: { type: 'json_schema' } } });
  });

  it('fails with AUTH, not retryable, on a 401', async () => {
    const fake = await server(() => ({ type: 'error', status: 401, message: 'Incorrect API key provided' }));
    const error = await failureOf(createCodexCli(fakeCodexCliSettings(fake)).doRunTask({ taskId: 'c2', prompt: 'go', cwd: repository() }));
    expect(error).toMatchObject({ code: 'AUTH', isRetryable: false, apiStatus: 401 });
    expect(error.message).not.toContain('fake-openai-key');
  });

  it('kills a run whose API never answers at our timeout, leaving no process', async () => {
    const fake = await server(() => ({ type: 'hang' }));
    const marker = randomUUID();
    const provider = createCodexCli({ ...fakeCodexCliSettings(fake), killGraceMs: 500 });
    const error = await failureOf(provider.doRunTask({ taskId: 'c3', prompt: 'go', cwd: repository(), timeoutMs: 3_000, env: { QODER_ORCH_TEST_RUN: marker } }));
    expect(error).toMatchObject({ code: 'TIMEOUT', isTimedOut: true });
    expect(processesWithEnvironment('QODER_ORCH_TEST_RUN', marker)).toEqual([]);
  });

  it('checks the installation', async () => {
    const fake = await server(() => 'unused');
    const check = await createCodexCli(fakeCodexCliSettings(fake)).doCheck!({});
    expect(check).toMatchObject({ installed: true, authenticated: true });
    expect(check.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
