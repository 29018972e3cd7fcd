import { z } from 'zod';
import type { Usage } from '@qoder-orch/spec';
import { type EventParserOptions, JsonLinesEventParser, clipEventOutput } from '../process/json-lines-parser';

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
  usage: z.looseObject({ input_tokens: z.number().nullish(), cached_input_tokens: z.number().nullish(), output_tokens: z.number().nullish() }).nullish(),
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

type CodexEvent = z.infer<typeof CodexEventSchema>;

/** Parses `codex exec --json` output (thread/turn/item events) into agent events and a summary. */
export class CodexEventParser extends JsonLinesEventParser<CodexEvent, CodexStreamSummary> {
  constructor(options: EventParserOptions = {}) {
    super(CodexEventSchema, { threadId: undefined, texts: [], usage: { inputTokens: 0, outputTokens: 0 }, isTurnCompleted: false, failureMessage: undefined, otherLines: [] }, options);
  }

  protected handle(event: CodexEvent): void {
    switch (event.type) {
      case 'thread.started':
        this.state.threadId = event.thread_id ?? undefined;
        this.emit({ type: 'status', message: `Codex thread ${event.thread_id ?? ''} started` });
        return;
      case 'turn.completed': {
        this.state.isTurnCompleted = true;
        const usage = event.usage;
        this.state.usage = {
          inputTokens: this.state.usage.inputTokens + (usage?.input_tokens ?? 0),
          outputTokens: this.state.usage.outputTokens + (usage?.output_tokens ?? 0),
          ...(usage?.cached_input_tokens ? { cacheReadTokens: (this.state.usage.cacheReadTokens ?? 0) + usage.cached_input_tokens } : {}),
        };
        return;
      }
      case 'turn.failed':
        this.state.failureMessage = this.redact(event.error?.message ?? 'turn failed');
        return;
      case 'error': {
        const message = this.redact(event.message ?? '');
        const retry = /Reconnecting\.\.\.\s*(\d+)\/(\d+)/.exec(message);
        if (retry) {
          const status = /\b(\d{3})\b/.exec(message)?.[1];
          this.emit({ type: 'retry', attempt: Number(retry[1]), maxRetries: Number(retry[2]), ...(status ? { errorStatus: Number(status) } : {}) });
        } else {
          this.state.failureMessage = message;
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
    if (isCompleted) this.pending.delete(id);
    else this.pending.add(id);
    switch (item.type) {
      case 'agent_message':
        if (isCompleted && item.text) {
          const text = this.redact(item.text);
          this.state.texts.push(text);
          this.emit({ type: 'text', text });
        }
        return;
      case 'command_execution':
        if (!isCompleted) this.emit({ type: 'tool-call', toolCallId: id, toolName: 'command_execution', input: { command: this.redact(item.command ?? '') } });
        else this.emit({ type: 'tool-result', toolCallId: id, isError: item.exit_code !== 0 || item.status === 'failed', output: clipEventOutput(this.redact(item.aggregated_output ?? '')) });
        return;
      case 'file_change':
        if (isCompleted) {
          this.emit({ type: 'tool-call', toolCallId: id, toolName: 'file_change', input: { changes: item.changes ?? [] } });
          this.emit({ type: 'tool-result', toolCallId: id, isError: item.status === 'failed', output: (item.changes ?? []).map((change) => `${change.kind ?? 'update'} ${change.path ?? ''}`).join('\n') });
        }
        return;
      case 'error':
        if (item.message) this.emit({ type: 'status', message: this.redact(item.message) });
        return;
      default:
        return;
    }
  }
}
