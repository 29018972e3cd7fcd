import { APICallError, type LanguageModelV2 } from '@ai-sdk/provider';
import { ProviderError } from '@qoder-orch/spec';
import { MockLanguageModelV2 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { AiSdkProvider, type AiSdkProviderSettings } from '../index';

type GenerateResult = Awaited<ReturnType<LanguageModelV2['doGenerate']>>;

const answer = (text: string, usage: Partial<GenerateResult['usage']> = { inputTokens: 1000, outputTokens: 500 }): GenerateResult => ({
  content: [{ type: 'text', text }],
  finishReason: 'stop',
  usage: { inputTokens: undefined, outputTokens: undefined, totalTokens: undefined, ...usage },
  warnings: [],
});

const mockModel = (doGenerate: ConstructorParameters<typeof MockLanguageModelV2>[0] extends infer O ? (O extends { doGenerate?: infer G } ? G : never) : never, modelId = 'claude-sonnet-4-5-20250929', provider = 'anthropic.messages') =>
  new MockLanguageModelV2({ modelId, provider, doGenerate });

const providerWith = (model: LanguageModelV2, settings: Partial<AiSdkProviderSettings> = {}) => new AiSdkProvider({ model, maxRetries: 0, secretValues: ['sk-ant-secret-value-123456'], ...settings });

const PLAN_SCHEMA = { type: 'object', properties: { tasks: { type: 'array' } }, required: ['tasks'] };

const failureOf = async (promise: Promise<unknown>): Promise<ProviderError> => {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
};

const apiError = (statusCode: number | undefined, responseBody = '', responseHeaders: Record<string, string> = {}) =>
  new APICallError({ message: `status ${statusCode}`, url: 'http://127.0.0.1/v1/messages', requestBodyValues: {}, ...(statusCode === undefined ? {} : { statusCode }), responseBody, responseHeaders, isRetryable: false });

describe('AiSdkProvider completions', () => {
  it('answers a text prompt with usage and the cost of a known model', async () => {
    const model = mockModel(answer('Hello there.'));
    const result = await providerWith(model).doComplete({ prompt: 'Say hello', system: 'Be brief.' });
    expect(result.text).toBe('Hello there.');
    expect(result.json).toBeUndefined();
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 500 });
    // claude-sonnet-4-5: $3 in, $15 out per million tokens.
    expect(result.costUsd).toBeCloseTo(0.003 + 0.0075, 10);
    expect(model.doGenerateCalls[0]?.prompt[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  it('asks for structured output with the caller’s JSON Schema and returns the object', async () => {
    const model = mockModel(answer('{"tasks":[{"id":"a"}]}'));
    const result = await providerWith(model).doComplete({ prompt: 'Plan it', jsonSchema: PLAN_SCHEMA, purpose: 'plan' });
    expect(result.json).toEqual({ tasks: [{ id: 'a' }] });
    expect(JSON.parse(result.text)).toEqual({ tasks: [{ id: 'a' }] });
    expect(model.doGenerateCalls[0]?.responseFormat).toEqual({ type: 'json', schema: PLAN_SCHEMA });
  });

  it('returns an answer that is not JSON as text only, so the caller can name the problem and ask again', async () => {
    const model = mockModel(answer('Sure! Here is the plan: {tasks: [oops'));
    const result = await providerWith(model).doComplete({ prompt: 'Plan it', jsonSchema: PLAN_SCHEMA });
    expect(result.json).toBeUndefined();
    expect(result.text).toBe('Sure! Here is the plan: {tasks: [oops');
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 500 });
  });

  it('passes an object that violates the schema through untouched for the caller’s zod check', async () => {
    const model = mockModel(answer('{"tasks":"not an array","extra":1}'));
    const result = await providerWith(model).doComplete({ prompt: 'Plan it', jsonSchema: PLAN_SCHEMA });
    expect(result.json).toEqual({ tasks: 'not an array', extra: 1 });
  });

  it('survives hostile JSON (prototype keys, deep nesting, huge numbers) without crashing or polluting prototypes', async () => {
    const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
    for (const text of ['{"__proto__":{"isPolluted":true},"tasks":[]}', '{"constructor":{"prototype":{"isPolluted":true}}}', deep, '{"tasks":[1e999]}', '\u0000\uFFFF', '']) {
      const model = mockModel(answer(text));
      const outcome = await providerWith(model)
        .doComplete({ prompt: 'Plan it', jsonSchema: PLAN_SCHEMA })
        .then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
      if ('error' in outcome) expect(ProviderError.isInstance(outcome.error) && outcome.error.code).toBe('BAD_OUTPUT');
      expect(({} as Record<string, unknown>)['isPolluted']).toBeUndefined();
    }
  });

  it('reports an answer with no text at all as BAD_OUTPUT', async () => {
    const model = mockModel(answer(''));
    const error = await failureOf(providerWith(model).doComplete({ prompt: 'Plan it', jsonSchema: PLAN_SCHEMA }));
    expect(error.code).toBe('BAD_OUTPUT');
  });

  it('counts usage like the CLIs: cache reads apart from input, broken counts as zero', async () => {
    const openAiStyle = mockModel(answer('ok', { inputTokens: 1200, outputTokens: 10, cachedInputTokens: 1000 }), 'gpt-4.1', 'openai.chat');
    expect((await providerWith(openAiStyle).doComplete({ prompt: 'x' })).usage).toEqual({ inputTokens: 200, outputTokens: 10, cacheReadTokens: 1000 });
    const anthropicStyle = mockModel(answer('ok', { inputTokens: 200, outputTokens: 10, cachedInputTokens: 1000 }));
    expect((await providerWith(anthropicStyle).doComplete({ prompt: 'x' })).usage).toEqual({ inputTokens: 200, outputTokens: 10, cacheReadTokens: 1000 });
    const broken = mockModel(answer('ok', { inputTokens: -5, outputTokens: Number.NaN }));
    expect((await providerWith(broken).doComplete({ prompt: 'x' })).usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('leaves the cost unknown for a model it has no price for, unless given one', async () => {
    const local = () => mockModel(answer('ok'), 'qwen2.5-coder:14b', 'ollama.chat');
    expect((await providerWith(local()).doComplete({ prompt: 'x' })).costUsd).toBeUndefined();
    const priced = await providerWith(local(), { prices: { 'qwen2.5-coder:14b': { inputPerMillion: 1, outputPerMillion: 2 } } }).doComplete({ prompt: 'x' });
    expect(priced.costUsd).toBeCloseTo(0.002, 10);
  });

  it('names itself after the model unless told otherwise', () => {
    expect(providerWith(mockModel(answer('ok'))).providerId).toBe('ai-sdk:claude-sonnet-4-5-20250929');
    expect(providerWith(mockModel(answer('ok')), { providerId: 'judge-model' }).providerId).toBe('judge-model');
    expect(() => new AiSdkProvider({ model: {} as LanguageModelV2 })).toThrow(/specification v2/);
  });
});

describe('AiSdkProvider failures', () => {
  const failing = (error: unknown) =>
    mockModel(async () => {
      throw error;
    });

  it.each([
    [429, 'RATE_LIMITED', true],
    [401, 'AUTH', false],
    [403, 'AUTH', false],
    [529, 'OVERLOADED', true],
    [503, 'OVERLOADED', true],
    [500, 'API_ERROR', true],
    [400, 'API_ERROR', false],
  ] as const)('maps HTTP %i to %s', async (status, code, isRetryable) => {
    const error = await failureOf(providerWith(failing(apiError(status, '{"type":"error"}'))).doComplete({ prompt: 'x' }));
    expect(error.code).toBe(code);
    expect(error.isRetryable).toBe(isRetryable);
    expect(error.providerId).toBe('ai-sdk:claude-sonnet-4-5-20250929');
    expect(error.apiStatus).toBe(status);
  });

  it('keeps the retry delay the server asks for', async () => {
    const error = await failureOf(providerWith(failing(apiError(429, 'slow down', { 'retry-after': '3' }))).doComplete({ prompt: 'x' }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(3000);
  });

  it('unwraps the SDK’s own retries to the last error', async () => {
    let calls = 0;
    const model = mockModel(async () => {
      calls += 1;
      throw new APICallError({ message: 'overloaded', url: 'u', requestBodyValues: {}, statusCode: 529, isRetryable: true });
    });
    const error = await failureOf(providerWith(model, { maxRetries: 1 }).doComplete({ prompt: 'x' }));
    expect(calls).toBe(2);
    expect(error.code).toBe('OVERLOADED');
  });

  it('reports a server that cannot be reached as API_ERROR with a fix', async () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    const error = await failureOf(providerWith(failing(refused)).doComplete({ prompt: 'x' }));
    expect(error.code).toBe('API_ERROR');
    expect(error.message).toMatch(/could not be reached.*ECONNREFUSED/);
    expect(error.fix).toMatch(/base URL/);
  });

  it('never lets a secret through an error message', async () => {
    const error = await failureOf(providerWith(failing(apiError(401, 'invalid x-api-key sk-ant-secret-value-123456'))).doComplete({ prompt: 'x' }));
    expect(error.code).toBe('AUTH');
    expect(JSON.stringify({ message: error.message, fix: error.fix })).not.toContain('sk-ant-secret-value-123456');
  });

  const hanging = () =>
    mockModel(
      ({ abortSignal }) =>
        new Promise<GenerateResult>((_, reject) => {
          abortSignal?.addEventListener('abort', () => reject(abortSignal.reason as Error), { once: true });
        }),
    );

  it('stops when the caller aborts (ABORTED, canceled)', async () => {
    const controller = new AbortController();
    const pending = providerWith(hanging()).doComplete({ prompt: 'x', abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await failureOf(pending);
    expect(error.code).toBe('ABORTED');
    expect(error.isCanceled).toBe(true);
  });

  it('stops at its time limit (TIMEOUT)', async () => {
    const startedAt = Date.now();
    const error = await failureOf(providerWith(hanging()).doComplete({ prompt: 'x', timeoutMs: 50 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.isTimedOut).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });

  it('refuses to run a task, with a clear code and a fix', async () => {
    const error = await failureOf(providerWith(mockModel(answer('ok'))).doRunTask());
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/cannot run tasks/);
    expect(error.fix).toMatch(/--plan-provider/);
  });
});
