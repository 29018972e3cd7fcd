import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@qoder-orch/spec';
import { createGeminiCli, findExecutable } from '../index';
import { type FakeGeminiReply, type FakeGeminiRequest, createFakeGeminiServer, failureOf, fakeGeminiCliSettings, processesWithEnvironment } from '../test/index';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function repository(): string {
  const directory = mkdtempSync(join(tmpdir(), 'gemini-int-'));
  execFileSync('git', ['init', '-q'], { cwd: directory });
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

async function server(handler: (request: FakeGeminiRequest) => FakeGeminiReply | string) {
  const created = await createFakeGeminiServer({ handler });
  cleanups.push(() => created.close());
  return created;
}

/** The prompt as the CLI sent it: every text part of every user turn. */
const userTexts = (request: FakeGeminiRequest | undefined) => JSON.stringify((request?.body as { contents?: unknown })?.contents ?? []);

// Each run of the real CLI takes ~3 s of CPU on an idle machine (loading its bundle); on CI's two
// busy cores one took over 15 s, so the 30 s default failed the two-run resume test.
describe.skipIf(!findExecutable(['gemini']))('Gemini CLI provider, real gemini against the fake Gemini API', { timeout: 90_000 }, () => {
  it('writes a file through a tool call and reports the answer, usage and session id', async () => {
    const cwd = repository();
    const fake = await server((request) => (request.hasFunctionResponse ? 'Wrote notes.md.' : { type: 'function-call', name: 'write_file', args: { file_path: join(cwd, 'notes.md'), content: '# notes\n' } }));
    const events: AgentEvent[] = [];
    const prompt = `[qoder-orch:task g1] write "notes.md" — $(no) \`no\`\nünï 🚀`;
    const result = await createGeminiCli(fakeGeminiCliSettings(fake)).doRunTask({ taskId: 'g1', prompt, cwd, allowedTools: ['Write'], onEvent: (event) => events.push(event) });
    expect(readFileSync(join(cwd, 'notes.md'), 'utf8')).toBe('# notes\n');
    expect(result.summary).toBe('Wrote notes.md.');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.sessionId).toBeTruthy();
    expect(userTexts(fake.requests[0])).toContain(JSON.stringify(prompt).slice(1, -1));
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool-call', toolName: 'write_file' }));
  });

  it("resumes a session: the second run carries the first one's turns", async () => {
    const fake = await server((request) => `turns=${((request.body as { contents?: unknown[] }).contents ?? []).length}`);
    const home = mkdtempSync(join(tmpdir(), 'gemini-int-home-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(join(home, '.gemini'));
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    const settings = fakeGeminiCliSettings(fake);
    const provider = createGeminiCli({ ...settings, isolateConfig: false, env: { ...settings.env, HOME: home } });
    const cwd = repository();
    const first = await provider.doRunTask({ taskId: 'g4', prompt: 'first', cwd });
    const second = await provider.doRunTask({ taskId: 'g4', prompt: 'second', cwd, resumeSessionId: first.sessionId! });
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.summary).toBe('turns=3');
  });

  it('answers a completion with JSON', async () => {
    const fake = await server(() => '```json\n{"verdict": "met"}\n```');
    const result = await createGeminiCli(fakeGeminiCliSettings(fake)).doComplete({ prompt: '[qoder-orch:judge] judge it', jsonSchema: { type: 'object' } });
    expect(result.json).toEqual({ verdict: 'met' });
    const body = JSON.stringify(fake.requests.find((request) => request.lastUserText.includes('[qoder-orch:judge]'))?.body ?? fake.requests.at(-1)?.body);
    // Not asked in plan mode, whose instructions make the model plan (and call tools to exit it) instead of answering.
    const around = (pattern: RegExp) => {
      const match = pattern.exec(body);
      return match ? body.slice(Math.max(0, match.index - 200), match.index + 100) : undefined;
    };
    expect(around(/exit_plan_mode|currently in plan mode/i)).toBeUndefined();
    // No tool that could write or run anything is offered.
    expect(around(/"name":"(run_shell_command|write_file|replace)"/)).toBeUndefined();
  });

  it('fails with AUTH, not retryable, on a 401', async () => {
    const fake = await server(() => ({ type: 'error', status: 401, message: 'API key not valid' }));
    const error = await failureOf(createGeminiCli(fakeGeminiCliSettings(fake)).doRunTask({ taskId: 'g2', prompt: 'go', cwd: repository() }));
    expect(error).toMatchObject({ code: 'AUTH', isRetryable: false, apiStatus: 401 });
    expect(error.message).not.toContain('fake-gemini-key');
  });

  it('kills a run whose API never answers at our timeout, leaving no process', async () => {
    const fake = await server(() => ({ type: 'hang' }));
    const marker = randomUUID();
    const provider = createGeminiCli({ ...fakeGeminiCliSettings(fake), killGraceMs: 500 });
    const error = await failureOf(provider.doRunTask({ taskId: 'g3', prompt: 'go', cwd: repository(), timeoutMs: 5_000, env: { QODER_ORCH_TEST_RUN: marker } }));
    expect(error).toMatchObject({ code: 'TIMEOUT', isTimedOut: true });
    expect(processesWithEnvironment('QODER_ORCH_TEST_RUN', marker)).toEqual([]);
  });
});
