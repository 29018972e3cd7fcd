import { createAnthropic } from '@ai-sdk/anthropic';
import type { LanguageModelV2 } from '@ai-sdk/provider';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { OrchestratorError } from '@qoder-orch/spec';
import { z } from 'zod';
import { AiSdkProvider, type AiSdkProviderSettings } from './ai-sdk-provider';

/** The model APIs `createAiSdkProvider` reaches by name. */
export const AI_SDK_PROVIDERS = ['anthropic', 'openai', 'google', 'openai-compatible'] as const;
export type AiSdkProviderName = (typeof AI_SDK_PROVIDERS)[number];

/** The prefix of a provider name that means "an AI SDK model": `ai-sdk:anthropic/claude-sonnet-4-5`. */
export const AI_SDK_PREFIX = 'ai-sdk:';

export const AiSdkModelSettingsSchema = z
  .object({
    /** Which model API. */
    provider: z.enum(AI_SDK_PROVIDERS),
    /** The model id, as the API names it (`claude-sonnet-4-5`, `gpt-4.1`, `gemini-2.5-pro`, `qwen2.5-coder:14b`). */
    model: z.string().min(1).max(200),
    /**
     * The API's base URL. Required for `openai-compatible` (e.g. `http://localhost:11434/v1` for
     * Ollama). @default the vendor's; for `anthropic`, `$ANTHROPIC_BASE_URL` + `/v1` when set
     */
    baseURL: z.url({ protocol: /^https?$/ }).optional(),
    /** The environment variable holding the API key. @default ANTHROPIC_API_KEY, OPENAI_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY; none for openai-compatible */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
  })
  .strict();

/** Which model `createAiSdkProvider` makes, and where its key comes from. */
export type AiSdkModelSettings = z.infer<typeof AiSdkModelSettingsSchema> & Omit<AiSdkProviderSettings, 'model' | 'apiKeyEnv'>;

const DEFAULT_KEY_ENV: Record<AiSdkProviderName, string | undefined> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
  'openai-compatible': undefined,
};

/** OpenAI and Google both answer the OpenAI chat-completions protocol, so one small package reaches them. */
const DEFAULT_BASE_URL: Partial<Record<AiSdkProviderName, string>> = {
  openai: 'https://api.openai.com/v1',
  google: 'https://generativelanguage.googleapis.com/v1beta/openai',
};

const invalid = (message: string, fix: string) => new OrchestratorError({ code: 'CONFIG_INVALID', message, fix });

/**
 * `ai-sdk:<provider>/<model>` (e.g. `ai-sdk:anthropic/claude-sonnet-4-5`,
 * `ai-sdk:openai-compatible/qwen2.5-coder:14b`) as settings; `undefined` when `name` is not an
 * AI SDK provider name at all.
 */
export function parseAiSdkProviderName(name: string): { provider: AiSdkProviderName; model: string } | undefined {
  const trimmed = name.trim();
  if (!trimmed.toLowerCase().startsWith(AI_SDK_PREFIX)) return undefined;
  const rest = trimmed.slice(AI_SDK_PREFIX.length);
  const slash = rest.indexOf('/');
  const provider = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const model = slash < 0 ? '' : rest.slice(slash + 1);
  if (!(AI_SDK_PROVIDERS as readonly string[]).includes(provider) || model.length === 0) {
    throw invalid(`"${name}" is not an AI SDK model: write ai-sdk:<provider>/<model> with a provider of ${AI_SDK_PROVIDERS.join(', ')}.`, 'For example --plan-provider ai-sdk:anthropic/claude-sonnet-4-5');
  }
  return { provider: provider as AiSdkProviderName, model };
}

/** Claude Code's `ANTHROPIC_BASE_URL` names the host; the AI SDK wants the API root under it. */
function anthropicBaseURL(): string | undefined {
  const fromEnvironment = process.env['ANTHROPIC_BASE_URL']?.trim().replace(/\/+$/, '');
  if (!fromEnvironment) return undefined;
  return fromEnvironment.endsWith('/v1') ? fromEnvironment : `${fromEnvironment}/v1`;
}

function modelFor(settings: z.infer<typeof AiSdkModelSettingsSchema>, apiKey: string | undefined): LanguageModelV2 {
  if (settings.provider === 'anthropic') {
    const baseURL = settings.baseURL ?? anthropicBaseURL();
    // An empty key is still a key to the SDK: a missing one fails at the first call with AUTH, not at start.
    return createAnthropic({ apiKey: apiKey ?? '', ...(baseURL === undefined ? {} : { baseURL }) })(settings.model);
  }
  const baseURL = settings.baseURL ?? DEFAULT_BASE_URL[settings.provider];
  if (baseURL === undefined) throw invalid(`The openai-compatible model "${settings.model}" needs a base URL.`, 'Set `base_url` (e.g. http://localhost:11434/v1 for Ollama, http://localhost:8000/v1 for vLLM).');
  return createOpenAICompatible({ name: settings.provider, baseURL, includeUsage: true, ...(apiKey ? { apiKey } : {}) }).chatModel(settings.model);
}

/**
 * An {@link AiSdkProvider} for a model named by API and id, its key read from the environment
 * (never from settings, never logged). `anthropic` uses `@ai-sdk/anthropic`; `openai`, `google`
 * and `openai-compatible` (Ollama, vLLM, LM Studio …) use `@ai-sdk/openai-compatible`. For any
 * other AI SDK model, construct `new AiSdkProvider({ model })` with it.
 *
 * ```ts
 * const judge = createAiSdkProvider({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
 * const local = createAiSdkProvider({ provider: 'openai-compatible', model: 'qwen2.5-coder:14b', baseURL: 'http://localhost:11434/v1' });
 * ```
 */
export function createAiSdkProvider(settings: AiSdkModelSettings): AiSdkProvider {
  const { provider, model, baseURL, apiKeyEnv, ...rest } = settings;
  const parsed = AiSdkModelSettingsSchema.safeParse({ provider, model, baseURL, apiKeyEnv });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`Invalid AI SDK model settings: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, 'Fix the plan/judge provider settings in your configuration.');
  }
  const keyVariable = parsed.data.apiKeyEnv ?? DEFAULT_KEY_ENV[parsed.data.provider];
  const apiKey = keyVariable === undefined ? undefined : process.env[keyVariable];
  return new AiSdkProvider({
    providerId: `${AI_SDK_PREFIX}${parsed.data.provider}/${parsed.data.model}`,
    ...rest,
    model: modelFor(parsed.data, apiKey),
    ...(keyVariable === undefined ? {} : { apiKeyEnv: keyVariable }),
  });
}
