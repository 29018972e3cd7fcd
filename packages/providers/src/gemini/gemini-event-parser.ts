import { z } from 'zod';
import type { AgentEvent, Usage } from '@qoder-orch/core';

/** One line of `gemini -p … --output-format stream-json`. */
export const GeminiEventSchema = z.looseObject({
  type: z.string(),
  session_id: z.string().nullish(),
  model: z.string().nullish(),
  role: z.string().nullish(),
  content: z.string().nullish(),
  delta: z.boolean().nullish(),
  tool_name: z.string().nullish(),
  tool_id: z.string().nullish(),
  parameters: z.unknown().optional(),
  status: z.string().nullish(),
  output: z.unknown().optional(),
  message: z.string().nullish(),
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
  stats: z.looseObject({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish(), cached: z.number().nullish() }).nullish(),
});

export interface GeminiStreamSummary {
  sessionId: string | undefined;
  model: string | undefined;
  /** The assistant's text, concatenated from its (delta) messages. */
  text: string;
  /** `success` or `error`, from the final `result` line. */
  resultStatus: string | undefined;
  errorMessage: string | undefined;
  usage: Usage;
  otherLines: string[];
}

const MAX_OUTPUT = 4_000;
const stringOf = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));

/** Parses Gemini CLI's stream-json output (init, message, tool_use, tool_result, error, result). */
export class GeminiEventParser {
  readonly #onEvent: (event: AgentEvent) => void;
  readonly #redact: (text: string) => string;
  readonly #pending = new Set<string>();
  readonly #summary: GeminiStreamSummary = { sessionId: undefined, model: undefined, text: '', resultStatus: undefined, errorMessage: undefined, usage: { inputTokens: 0, outputTokens: 0 }, otherLines: [] };

  constructor(options: { onEvent?: ((event: AgentEvent) => void) | undefined; redact?: ((text: string) => string) | undefined } = {}) {
    this.#onEvent = options.onEvent ?? (() => {});
    this.#redact = options.redact ?? ((text) => text);
  }

  summary(): GeminiStreamSummary {
    return this.#summary;
  }

  /** Whether a tool call is waiting for its result: Gemini is running it, silently. */
  hasPendingToolCalls(): boolean {
    return this.#pending.size > 0;
  }

  #emit(event: AgentEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // A listener's failure must not break the run.
    }
  }

  push(line: string): void {
    const trimmed = line.trim();
    if (!trimmed) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      this.#summary.otherLines.push(trimmed);
      if (this.#summary.otherLines.length > 50) this.#summary.otherLines.shift();
      return;
    }
    const parsed = GeminiEventSchema.safeParse(value);
    if (!parsed.success) return;
    const event = parsed.data;
    switch (event.type) {
      case 'init':
        this.#summary.sessionId = event.session_id ?? undefined;
        this.#summary.model = event.model ?? undefined;
        this.#emit({ type: 'status', message: `Gemini CLI started${event.model ? ` (model ${event.model})` : ''}` });
        return;
      case 'message':
        if (event.role === 'assistant' && event.content) {
          const text = this.#redact(event.content);
          // A new, non-delta message replaces what came before as the final answer.
          this.#summary.text = event.delta ? this.#summary.text + text : text;
          this.#emit({ type: 'text', text });
        }
        return;
      case 'tool_use':
        this.#pending.add(event.tool_id ?? '');
        this.#emit({ type: 'tool-call', toolCallId: event.tool_id ?? '', toolName: event.tool_name ?? '', input: JSON.parse(this.#redact(JSON.stringify(event.parameters ?? {}))) as unknown });
        // Text after a tool call is a new answer.
        this.#summary.text = '';
        return;
      case 'tool_result': {
        this.#pending.delete(event.tool_id ?? '');
        const output = this.#redact(stringOf(event.output ?? event.error?.message));
        this.#emit({ type: 'tool-result', toolCallId: event.tool_id ?? '', isError: event.status === 'error', output: output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}…` : output });
        return;
      }
      case 'error':
        this.#emit({ type: 'status', message: this.#redact(event.message ?? 'error') });
        return;
      case 'result':
        this.#summary.resultStatus = event.status ?? undefined;
        if (event.error?.message) this.#summary.errorMessage = this.#redact(event.error.message);
        this.#summary.usage = {
          inputTokens: event.stats?.input_tokens ?? 0,
          outputTokens: event.stats?.output_tokens ?? 0,
          ...(event.stats?.cached ? { cacheReadTokens: event.stats.cached } : {}),
        };
        return;
      default:
        return;
    }
  }
}
