import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ProviderError } from '@qoder-orch/spec';
import type { LLMProviderV1, CheckOptions, CheckResult, CompleteOptions, CompleteResult, ErrorCode, RunTaskOptions, RunTaskResult, Usage } from '@qoder-orch/spec';
import { z } from 'zod';

export interface ChatCompletionsProviderOptions {
  /** Where the OpenAI-compatible API lives, e.g. `http://127.0.0.1:11434/v1` (Ollama) or `http://127.0.0.1:8080/v1` (llama.cpp). */
  baseUrl: string;
  model: string;
  /** Sent as a bearer token; never logged or put in an error. */
  apiKey?: string;
  /** Per-request timeout when the orchestrator gives none. @default 120_000 */
  defaultTimeoutMs?: number;
}

const ChatResponseSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() }).optional(),
});

/** What the model must answer for a task: the files it writes, and a one-line summary. */
const FileAnswerSchema = z.object({
  summary: z.string(),
  files: z.record(z.string(), z.string()),
});

/** A chat model has no tools: it is asked for whole files as JSON, and the provider writes them. */
const FILE_PROTOCOL = ['You cannot run tools. Answer with one JSON object and nothing else:', '{"summary": "<one line>", "files": {"<path relative to the project>": "<the whole new content>"}}'].join('\n');

type Message = { role: 'system' | 'user'; content: string };

/**
 * An `LLMProviderV1` written from scratch: any server that speaks the OpenAI chat-completions
 * API (Ollama, llama.cpp, vLLM, LM Studio, a hosted gateway) becomes an agent the orchestrator
 * can plan with, run tasks on and judge with. The spec's failure contract is kept: every failure
 * is a `ProviderError` whose code tells the orchestrator whether to retry.
 */
export class ChatCompletionsProvider implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId = 'chat-completions';
  readonly #options: ChatCompletionsProviderOptions;

  constructor(options: ChatCompletionsProviderOptions) {
    this.#options = options;
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const messages: Message[] = [...(options.system ? [{ role: 'system' as const, content: options.system }] : []), { role: 'user', content: options.prompt }];
    const { text, usage } = await this.#chat(messages, options.model, options);
    let json: unknown;
    if (options.jsonSchema) {
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON: the orchestrator parses the text itself and repairs what it must.
      }
    }
    return { text, usage, ...(json === undefined ? {} : { json }) };
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const started = Date.now();
    const system = [options.systemPrompt, FILE_PROTOCOL].filter(Boolean).join('\n\n');
    const { text, usage } = await this.#chat(
      [
        { role: 'system', content: system },
        { role: 'user', content: options.prompt },
      ],
      options.model,
      options,
    );
    let answer: z.infer<typeof FileAnswerSchema>;
    try {
      answer = FileAnswerSchema.parse(JSON.parse(text));
    } catch (error) {
      throw this.#error('BAD_OUTPUT', 'The model did not answer with {"summary", "files"} JSON.', { cause: error, usage, isRetryable: true });
    }
    const written: string[] = [];
    for (const [path, content] of Object.entries(answer.files)) {
      const target = resolve(options.cwd, path);
      const inside = relative(options.cwd, target);
      if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
        throw this.#error('PERMISSION_DENIED', `The model tried to write outside the task's folder: ${path}`, { usage });
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
      written.push(inside);
      options.onEvent?.({ type: 'status', message: `wrote ${inside}` });
    }
    return {
      summary: answer.summary,
      usage,
      durationMs: Date.now() - started,
      numTurns: 1,
      // The report the orchestrator reads; "success" is still only a claim that the checks verify.
      structuredOutput: { status: 'success', summary: answer.summary, filesChanged: written },
    };
  }

  async doCheck(options: CheckOptions): Promise<CheckResult> {
    try {
      const response = await this.#fetch('/models', { method: 'GET' }, options);
      const authenticated = response.status !== 401 && response.status !== 403;
      return {
        installed: response.ok || !authenticated,
        path: this.#options.baseUrl,
        authenticated,
        problems: response.ok ? [] : [{ message: `GET /models answered ${response.status}.`, fix: authenticated ? 'Check that the server is an OpenAI-compatible API.' : 'Check the API key.', severity: 'error' }],
      };
    } catch (error) {
      return { installed: false, authenticated: 'unknown', problems: [{ message: `No model server at ${this.#options.baseUrl}: ${(error as Error).message}`, fix: 'Start the server or fix baseUrl.', severity: 'error' }] };
    }
  }

  async #chat(messages: Message[], model: string | undefined, options: { timeoutMs?: number; abortSignal?: AbortSignal }): Promise<{ text: string; usage: Usage }> {
    const response = await this.#fetch('/chat/completions', { method: 'POST', body: JSON.stringify({ model: model ?? this.#options.model, messages, temperature: 0 }) }, options);
    if (!response.ok) throw this.#httpError(response);
    const parsed = ChatResponseSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw this.#error('BAD_OUTPUT', 'The server did not answer in the chat-completions format.', { isRetryable: true });
    const usage: Usage = { inputTokens: parsed.data.usage?.prompt_tokens ?? 0, outputTokens: parsed.data.usage?.completion_tokens ?? 0 };
    return { text: parsed.data.choices[0]?.message.content ?? '', usage };
  }

  async #fetch(path: string, init: RequestInit, options: { timeoutMs?: number; abortSignal?: AbortSignal }): Promise<Response> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#options.defaultTimeoutMs ?? 120_000);
    const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey}`;
    try {
      return await fetch(`${this.#options.baseUrl.replace(/\/$/, '')}${path}`, { ...init, headers, signal });
    } catch (error) {
      if (options.abortSignal?.aborted) throw this.#error('ABORTED', 'The request was canceled.', { isCanceled: true, cause: error });
      if (timeout.aborted) throw this.#error('TIMEOUT', 'The model server did not answer in time.', { isTimedOut: true, cause: error });
      throw this.#error('API_ERROR', `The model server could not be reached: ${(error as Error).message}`, { cause: error });
    }
  }

  #httpError(response: Response): ProviderError {
    const retryAfter = Number(response.headers.get('retry-after'));
    const code: ErrorCode = response.status === 401 || response.status === 403 ? 'AUTH' : response.status === 429 ? 'RATE_LIMITED' : response.status === 503 || response.status === 529 ? 'OVERLOADED' : 'API_ERROR';
    return this.#error(code, `The model server answered ${response.status} ${response.statusText}.`, {
      apiStatus: response.status,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }

  #error(code: ErrorCode, message: string, extra: Partial<ConstructorParameters<typeof ProviderError>[0]> = {}): ProviderError {
    return new ProviderError({ ...extra, providerId: this.providerId, code, message });
  }
}
