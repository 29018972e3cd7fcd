import { z } from 'zod';
import type { AgentEvent, Usage } from '@qoder-orch/core';

const CodexItemSchema = z.looseObject({
  id: z.string().nullish(),
  type: z.string(),
  text: z.string().nullish(),
  message: z.string().nullish(),
  command: z.string().nullish(),
  aggregated_output: z.string().nullish(),
  exit_code: z.number().nullish(),
  status: z.string().nullish(),
  changes: z.array(z.looseObject({ path: z.string().nullish(), kind: z.string().nullish() })).nullish(),
});

/** One line of `codex exec --json`. */
export const CodexEventSchema = z.looseObject({
  type: z.string(),
  thread_id: z.string().nullish(),
  item: CodexItemSchema.nullish(),
  usage: z
    .looseObject({ input_tokens: z.number().nullish(), cached_input_tokens: z.number().nullish(), output_tokens: z.number().nullish() })
    .nullish(),
  message: z.string().nullish(),
  error: z.looseObject({ message: z.string().nullish() }).nullish(),
});

export interface CodexStreamSummary {
  threadId: string | undefined;
  /** Agent messages, in order; the last is the final answer. */
  texts: string[];
  usage: Usage;
  isTurnCompleted: boolean;
  /** The message of `turn.failed`, or of the last top-level `error`. */
  failureMessage: string | undefined;
  otherLines: string[];
}

const MAX_OUTPUT = 4_000;
const clip = (text: string) => (text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}…` : text);

/** Parses `codex exec --json` output (thread/turn/item events) into agent events and a summary. */
export class CodexEventParser {
  readonly #onEvent: (event: AgentEvent) => void;
  readonly #redact: (text: string) => string;
  readonly #pending = new Set<string>();
  readonly #summary: CodexStreamSummary = { threadId: undefined, texts: [], usage: { inputTokens: 0, outputTokens: 0 }, isTurnCompleted: false, failureMessage: undefined, otherLines: [] };

  constructor(options: { onEvent?: ((event: AgentEvent) => void) | undefined; redact?: ((text: string) => string) | undefined } = {}) {
    this.#onEvent = options.onEvent ?? (() => {});
    this.#redact = options.redact ?? ((text) => text);
  }

  summary(): CodexStreamSummary {
    return this.#summary;
  }

  /** Whether an item (a command) started and has not completed: Codex is running it, silently. */
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
    const parsed = CodexEventSchema.safeParse(value);
    if (!parsed.success) return;
    const event = parsed.data;
    switch (event.type) {
      case 'thread.started':
        this.#summary.threadId = event.thread_id ?? undefined;
        this.#emit({ type: 'status', message: `Codex thread ${event.thread_id ?? ''} started` });
        return;
      case 'turn.completed': {
        this.#summary.isTurnCompleted = true;
        const usage = event.usage;
        this.#summary.usage = {
          inputTokens: this.#summary.usage.inputTokens + (usage?.input_tokens ?? 0),
          outputTokens: this.#summary.usage.outputTokens + (usage?.output_tokens ?? 0),
          ...(usage?.cached_input_tokens ? { cacheReadTokens: (this.#summary.usage.cacheReadTokens ?? 0) + usage.cached_input_tokens } : {}),
        };
        return;
      }
      case 'turn.failed':
        this.#summary.failureMessage = this.#redact(event.error?.message ?? 'turn failed');
        return;
      case 'error': {
        const message = this.#redact(event.message ?? '');
        const retry = /Reconnecting\.\.\.\s*(\d+)\/(\d+)/.exec(message);
        if (retry) {
          const status = /\b(\d{3})\b/.exec(message)?.[1];
          this.#emit({ type: 'retry', attempt: Number(retry[1]), maxRetries: Number(retry[2]), ...(status ? { errorStatus: Number(status) } : {}) });
        } else {
          this.#summary.failureMessage = message;
        }
        return;
      }
      case 'item.started':
      case 'item.completed':
        if (event.item) this.#item(event.type === 'item.completed', event.item);
        return;
      default:
        return;
    }
  }

  #item(isCompleted: boolean, item: z.infer<typeof CodexItemSchema>): void {
    const id = item.id ?? '';
    if (isCompleted) this.#pending.delete(id);
    else this.#pending.add(id);
    switch (item.type) {
      case 'agent_message':
        if (isCompleted && item.text) {
          const text = this.#redact(item.text);
          this.#summary.texts.push(text);
          this.#emit({ type: 'text', text });
        }
        return;
      case 'command_execution':
        if (!isCompleted) this.#emit({ type: 'tool-call', toolCallId: id, toolName: 'command_execution', input: { command: this.#redact(item.command ?? '') } });
        else this.#emit({ type: 'tool-result', toolCallId: id, isError: item.exit_code !== 0 || item.status === 'failed', output: clip(this.#redact(item.aggregated_output ?? '')) });
        return;
      case 'file_change':
        if (isCompleted) {
          this.#emit({ type: 'tool-call', toolCallId: id, toolName: 'file_change', input: { changes: item.changes ?? [] } });
          this.#emit({ type: 'tool-result', toolCallId: id, isError: item.status === 'failed', output: (item.changes ?? []).map((change) => `${change.kind ?? 'update'} ${change.path ?? ''}`).join('\n') });
        }
        return;
      case 'error':
        if (item.message) this.#emit({ type: 'status', message: this.#redact(item.message) });
        return;
      default:
        return;
    }
  }
}
