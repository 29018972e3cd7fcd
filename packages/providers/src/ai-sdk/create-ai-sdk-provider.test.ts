import { OrchestratorError } from '@qoder-orch/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AiSdkProvider, createAiSdkProvider, createProvider, parseAiSdkProviderName } from '../index';

const configError = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (OrchestratorError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OrchestratorError');
};

afterEach(() => vi.unstubAllEnvs());

describe('AI SDK provider names', () => {
  it('reads ai-sdk:<provider>/<model>, model ids with slashes and colons included', () => {
    expect(parseAiSdkProviderName('ai-sdk:anthropic/claude-sonnet-4-5')).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(parseAiSdkProviderName(' AI-SDK:openai-compatible/library/qwen2.5-coder:14b ')).toEqual({ provider: 'openai-compatible', model: 'library/qwen2.5-coder:14b' });
    expect(parseAiSdkProviderName('claude')).toBeUndefined();
  });

  it.each(['ai-sdk:anthropic', 'ai-sdk:anthropic/', 'ai-sdk:mistral/large', 'ai-sdk:'])('refuses %s with CONFIG_INVALID', (name) => {
    const error = configError(() => parseAiSdkProviderName(name));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/ai-sdk:<provider>\/<model>/);
  });
});

describe('createAiSdkProvider', () => {
  it('makes an Anthropic model whose id names the provider in summaries', () => {
    const provider = createAiSdkProvider({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(provider).toBeInstanceOf(AiSdkProvider);
    expect(provider.providerId).toBe('ai-sdk:anthropic/claude-sonnet-4-5');
    expect(provider.model.modelId).toBe('claude-sonnet-4-5');
    expect(provider.model.provider).toMatch(/^anthropic/);
  });

  it('reaches OpenAI, Google and local servers through the OpenAI-compatible protocol', () => {
    expect(createAiSdkProvider({ provider: 'openai', model: 'gpt-4.1' }).model.provider).toMatch(/^openai/);
    expect(createAiSdkProvider({ provider: 'google', model: 'gemini-2.5-pro' }).model.provider).toMatch(/^google/);
    expect(createAiSdkProvider({ provider: 'openai-compatible', model: 'qwen2.5-coder:14b', baseURL: 'http://localhost:11434/v1' }).model.modelId).toBe('qwen2.5-coder:14b');
  });

  it('needs a base URL for an openai-compatible server, and a well-formed one', () => {
    expect(configError(() => createAiSdkProvider({ provider: 'openai-compatible', model: 'llama' })).message).toMatch(/needs a base URL/);
    expect(configError(() => createAiSdkProvider({ provider: 'openai-compatible', model: 'llama', baseURL: 'file:///etc/passwd' })).message).toMatch(/baseURL/);
    expect(configError(() => createAiSdkProvider({ provider: 'anthropic', model: 'x', apiKeyEnv: 'NOT A NAME' })).message).toMatch(/apiKeyEnv/);
  });

  it('checks the key variable without ever showing its value', async () => {
    vi.stubEnv('MY_JUDGE_KEY', '');
    const missing = await createAiSdkProvider({ provider: 'anthropic', model: 'claude-sonnet-4-5', apiKeyEnv: 'MY_JUDGE_KEY' }).doCheck();
    expect(missing.authenticated).toBe(false);
    expect(missing.problems[0]?.message).toMatch(/MY_JUDGE_KEY is not set/);
    vi.stubEnv('MY_JUDGE_KEY', 'sk-very-secret-judge-key');
    const present = await createAiSdkProvider({ provider: 'anthropic', model: 'claude-sonnet-4-5', apiKeyEnv: 'MY_JUDGE_KEY' }).doCheck();
    expect(present).toEqual({ installed: true, authenticated: 'unknown', problems: [] });
  });
});

describe('createProvider with an AI SDK name', () => {
  it('makes the AI SDK provider with its settings', async () => {
    const provider = await createProvider('ai-sdk:openai-compatible/qwen', { baseURL: 'http://127.0.0.1:11434/v1', maxRetries: 0 });
    expect(provider.providerId).toBe('ai-sdk:openai-compatible/qwen');
    expect(provider).toBeInstanceOf(AiSdkProvider);
  });

  it('refuses settings an AI SDK model does not take', async () => {
    await expect(createProvider('ai-sdk:anthropic/claude-sonnet-4-5', { executable: '/bin/claude' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/executable/) });
  });
});
