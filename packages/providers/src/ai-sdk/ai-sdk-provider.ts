import type { JSONSchema7, LanguageModelV2 } from '@ai-sdk/provider';
import { type CheckResult, type CompleteOptions, type CompleteResult, type LLMProviderV1, ProviderError, type RunTaskResult, secretValuesFrom, type Usage } from '@qoder-orch/spec';
import type { LanguageModelUsage } from 'ai';
import { aiSdkFailure } from './ai-sdk-failure';
import { costOf, MODEL_PRICES, type ModelPrice, priceOf } from './model-prices';

export interface AiSdkProviderSettings {
  /** Any AI SDK language model: `anthropic('claude-sonnet-4-5')`, `openai('gpt-4.1')`, a local server's … */
  model: LanguageModelV2;
  /** The id in events, errors and the run summary. @default `ai-sdk:<modelId>` */
  providerId?: string;
  /** Retries the SDK makes itself on retryable API errors, with its own backoff. @default 2 */
  maxRetries?: number;
  /** A completion's time limit when the caller gives none, ms. @default 300000 */
  timeoutMs?: number;
  /** Upper bound of answer tokens. @default the SDK provider's own */
  maxOutputTokens?: number;
  /** @default the model's own */
  temperature?: number;
  /** Prices by model id, over the built-in table of known Anthropic and OpenAI models. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Values never to appear in an error message. @default the secret-looking variables of `process.env` */
  secretValues?: readonly string[];
  /** The variable the API key is read from, for `doCheck` and the AUTH fix. */
  apiKeyEnv?: string;
}

const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * An `LLMProviderV1` for completions (planning, judging) through any AI SDK language model:
 * plain text through `generateText`, structured answers through `generateObject` with the
 * JSON Schema the caller gives (the plan and verdict schemas), which the caller then checks
 * with its own zod schema. No process is started: a plan or a verdict is one HTTP request.
 *
 * It is a model, not an agent: `doRunTask` rejects with `CONFIG_INVALID`. Run tasks through an
 * agent CLI provider and give this one to the planner and the judge.
 *
 * ```ts
 * import { anthropic } from '@ai-sdk/anthropic';
 * const planner = new AiSdkProvider({ model: anthropic('claude-sonnet-4-5') });
 * createOrchestrator({ projectDir, provider: createClaudeCli(), planProvider: planner, judgeProvider: planner });
 * ```
 */
export class AiSdkProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly #settings: AiSdkProviderSettings;
  readonly #price: ModelPrice | undefined;
  readonly #secrets: readonly string[];

  constructor(settings: AiSdkProviderSettings) {
    if (settings?.model?.specificationVersion !== 'v2') throw new TypeError(`AiSdkProvider wraps an AI SDK language model of specification v2 (got ${String(settings?.model?.specificationVersion)})`);
    this.#settings = settings;
    this.providerId = settings.providerId ?? `ai-sdk:${settings.model.modelId}`;
    this.#price = priceOf(settings.model.modelId, { ...MODEL_PRICES, ...settings.prices });
    this.#secrets = settings.secretValues ?? secretValuesFrom(process.env);
  }

  /** The wrapped model. */
  get model(): LanguageModelV2 {
    return this.#settings.model;
  }

  /**
   * One completion. With `jsonSchema`, `json` holds the model's object (still untrusted: the
   * caller validates it); when the model's answer is not JSON at all, the answer comes back as
   * `text` without `json`, so the caller can name the problem and ask again. `options.model`
   * is ignored: the model is the one this provider was made with.
   */
  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const timeoutMs = options.timeoutMs ?? this.#settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
    const common = {
      model: this.#settings.model,
      prompt: options.prompt,
      abortSignal,
      maxRetries: this.#settings.maxRetries ?? 2,
      ...(options.system === undefined ? {} : { system: options.system }),
      ...(this.#settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: this.#settings.maxOutputTokens }),
      ...(this.#settings.temperature === undefined ? {} : { temperature: this.#settings.temperature }),
    };
    let usage: Usage | undefined;
    try {
      // The SDK is loaded at the first completion, not with the package: a run that never plans through it pays nothing.
      const { generateObject, generateText, jsonSchema, NoObjectGeneratedError } = await import('ai');
      if (options.jsonSchema) {
        try {
          const result = await generateObject({ ...common, schema: jsonSchema(options.jsonSchema as JSONSchema7) });
          usage = this.#usageOf(result.usage);
          return { text: JSON.stringify(result.object), json: result.object, ...this.#spend(usage) };
        } catch (error) {
          if (!NoObjectGeneratedError.isInstance(error) || !error.text) throw error;
          usage = this.#usageOf(error.usage);
          return { text: error.text, ...this.#spend(usage) };
        }
      }
      const result = await generateText(common);
      usage = this.#usageOf(result.totalUsage);
      return { text: result.text, ...this.#spend(usage) };
    } catch (error) {
      throw aiSdkFailure(error, {
        providerId: this.providerId,
        secrets: this.#secrets,
        isCanceled: options.abortSignal?.aborted === true,
        isTimedOut: timeout.aborted && options.abortSignal?.aborted !== true,
        timeoutMs,
        authHint: this.#authHint(),
        ...(usage ? this.#spend(usage) : {}),
      });
    }
  }

  /** Always rejects: a language model answers prompts, it does not edit a repository. */
  async doRunTask(): Promise<RunTaskResult> {
    throw new ProviderError({
      providerId: this.providerId,
      code: 'CONFIG_INVALID',
      message: `${this.providerId} answers completions (planning, judging) and cannot run tasks in a repository: it is a model, not an agent.`,
      fix: 'Run tasks with an agent CLI provider (claude, qoder, codex, gemini) and use this provider for planning and judging (`--plan-provider`, `--judge-provider`).',
      isRetryable: false,
    });
  }

  /** Nothing to install; without its API key variable set it cannot authenticate. */
  async doCheck(): Promise<CheckResult> {
    const variable = this.#settings.apiKeyEnv;
    if (variable === undefined) return { installed: true, authenticated: 'unknown', problems: [] };
    const hasKey = Boolean(process.env[variable]);
    return {
      installed: true,
      authenticated: hasKey ? 'unknown' : false,
      problems: hasKey ? [] : [{ message: `${this.providerId}: ${variable} is not set.`, fix: this.#authHint(), severity: 'error' }],
    };
  }

  #authHint(): string {
    const variable = this.#settings.apiKeyEnv;
    return variable === undefined ? "Give the model's provider its API key." : `Set ${variable} to the model API's key.`;
  }

  #spend(usage: Usage): { usage: Usage; costUsd?: number } {
    const costUsd = costOf(usage, this.#price);
    return costUsd === undefined ? { usage } : { usage, costUsd };
  }

  /**
   * The SDK's usage in the CLIs' terms: `inputTokens` without the tokens read from the cache.
   * Anthropic reports them apart already; OpenAI-style APIs count them inside the input.
   */
  #usageOf(usage: LanguageModelUsage | undefined): Usage {
    const cached = tokens(usage?.cachedInputTokens);
    const input = tokens(usage?.inputTokens);
    const isCacheSeparate = this.#settings.model.provider.startsWith('anthropic');
    const result: Usage = { inputTokens: isCacheSeparate ? input : Math.max(0, input - cached), outputTokens: tokens(usage?.outputTokens) };
    if (cached > 0) result.cacheReadTokens = cached;
    return result;
  }
}

/** A token count from the API, or 0 when it is missing or not a count (a broken server's `-1`, `NaN`). */
const tokens = (value: number | undefined): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0);
