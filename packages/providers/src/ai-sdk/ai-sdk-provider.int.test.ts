import { ProviderError } from '@qoder-orch/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAiSdkProvider } from '../index';
import { createFakeAnthropicServer, type FakeAnthropicServer, reply } from '../test/index';

const VERDICT_SCHEMA = { type: 'object', properties: { isMet: { type: 'boolean' }, reasoning: { type: 'string' } }, required: ['isMet', 'reasoning'] };
const KEY = 'sk-ant-fake-key-for-the-int-test';

let server: FakeAnthropicServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

/** `@ai-sdk/anthropic` against the fake Messages API, found through `ANTHROPIC_BASE_URL` as Claude Code finds it. */
function judgeAgainst(fake: FakeAnthropicServer) {
  vi.stubEnv('ANTHROPIC_BASE_URL', fake.url);
  vi.stubEnv('ANTHROPIC_API_KEY', KEY);
  return createAiSdkProvider({ provider: 'anthropic', model: 'claude-sonnet-4-5', maxRetries: 0, secretValues: [KEY] });
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      if (!ProviderError.isInstance(error)) throw error;
      return error;
    },
  );

describe('AiSdkProvider over HTTP (@ai-sdk/anthropic against the fake Anthropic server)', () => {
  it('gets a structured verdict through the tool the SDK forces, with the server’s usage and a cost', async () => {
    server = await createFakeAnthropicServer({ handler: () => ({ type: 'json', value: { isMet: true, reasoning: 'tests pass' }, usage: { inputTokens: 1200, outputTokens: 80 } }) });
    const result = await judgeAgainst(server).doComplete({ prompt: 'Judge this run', purpose: 'judge', jsonSchema: VERDICT_SCHEMA });
    expect(result.json).toEqual({ isMet: true, reasoning: 'tests pass' });
    expect(result.usage).toEqual({ inputTokens: 1200, outputTokens: 80 });
    expect(result.costUsd).toBeCloseTo((1200 * 3 + 80 * 15) / 1_000_000, 10);
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.forcedToolName).toBe('json');
    expect(request?.prompt).toBe('Judge this run');
  });

  it('answers plain text', async () => {
    server = await createFakeAnthropicServer({ isSideRequestHandled: true, handler: () => reply.text('Hello from the fake model.') });
    const result = await judgeAgainst(server).doComplete({ prompt: 'Say hello' });
    expect(result.text).toBe('Hello from the fake model.');
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
  });

  it('hands a chatty non-JSON answer back as text for the caller to repair', async () => {
    server = await createFakeAnthropicServer({ handler: () => reply.text('I think it is met, probably.') });
    const result = await judgeAgainst(server).doComplete({ prompt: 'Judge', jsonSchema: VERDICT_SCHEMA });
    expect(result.json).toBeUndefined();
    expect(result.text).toBe('I think it is met, probably.');
  });

  it('maps a 429 with retry-after to RATE_LIMITED with the delay, and a 401 to AUTH without the key', async () => {
    server = await createFakeAnthropicServer({ isSideRequestHandled: true, handler: (request) => (request.prompt === 'limited' ? reply.rateLimited(7) : reply.unauthorized()) });
    const provider = judgeAgainst(server);
    const limited = await failureOf(provider.doComplete({ prompt: 'limited' }));
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', isRetryable: true, retryAfterMs: 7000, apiStatus: 429 });
    const unauthorized = await failureOf(provider.doComplete({ prompt: 'who am I' }));
    expect(unauthorized).toMatchObject({ code: 'AUTH', isRetryable: false, apiStatus: 401 });
    expect(unauthorized.fix).toMatch(/ANTHROPIC_API_KEY/);
    expect(`${limited.message} ${unauthorized.message}`).not.toContain(KEY);
  });

  it('stops a hanging request at its time limit, and reports a server that is gone', async () => {
    server = await createFakeAnthropicServer({ isSideRequestHandled: true, handler: () => reply.hang() });
    const provider = judgeAgainst(server);
    const timedOut = await failureOf(provider.doComplete({ prompt: 'x', timeoutMs: 300 }));
    expect(timedOut).toMatchObject({ code: 'TIMEOUT', isTimedOut: true });
    await server.close();
    const gone = await failureOf(provider.doComplete({ prompt: 'x' }));
    expect(gone.code).toBe('API_ERROR');
    expect(gone.message).toMatch(/could not be reached/);
  });
});
