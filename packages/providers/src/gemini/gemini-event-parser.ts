import { z } from 'zod';
import type { Usage } from '@qoder-orch/spec';
import { type EventParserOptions, JsonLinesEventParser, clipEventOutput } from '../process/json-lines-parser';

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

const stringOf = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));

type GeminiEvent = z.infer<typeof GeminiEventSchema>;

/** Parses Gemini CLI's stream-json output (init, message, tool_use, tool_result, error, result). */
export class GeminiEventParser extends JsonLinesEventParser<GeminiEvent, GeminiStreamSummary> {
  constructor(options: EventParserOptions = {}) {
    super(GeminiEventSchema, { sessionId: undefined, model: undefined, text: '', resultStatus: undefined, errorMessage: undefined, usage: { inputTokens: 0, outputTokens: 0 }, otherLines: [] }, options);
  }

  protected handle(event: GeminiEvent): void {
    switch (event.type) {
      case 'init':
        this.state.sessionId = event.session_id ?? undefined;
        this.state.model = event.model ?? undefined;
        this.emit({ type: 'status', message: `Gemini CLI started${event.model ? ` (model ${event.model})` : ''}` });
        return;
      case 'message':
        if (event.role === 'assistant' && event.content) {
          const text = this.redact(event.content);
          // A new, non-delta message replaces what came before as the final answer.
          this.state.text = event.delta ? this.state.text + text : text;
          this.emit({ type: 'text', text });
        }
        return;
      case 'tool_use':
        this.pending.add(event.tool_id ?? '');
        this.emit({ type: 'tool-call', toolCallId: event.tool_id ?? '', toolName: event.tool_name ?? '', input: JSON.parse(this.redact(JSON.stringify(event.parameters ?? {}))) as unknown });
        // Text after a tool call is a new answer.
        this.state.text = '';
        return;
      case 'tool_result': {
        this.pending.delete(event.tool_id ?? '');
        const output = this.redact(stringOf(event.output ?? event.error?.message));
        this.emit({ type: 'tool-result', toolCallId: event.tool_id ?? '', isError: event.status === 'error', output: clipEventOutput(output) });
        return;
      }
      case 'error':
        this.emit({ type: 'status', message: this.redact(event.message ?? 'error') });
        return;
      case 'result':
        this.state.resultStatus = event.status ?? undefined;
        if (event.error?.message) this.state.errorMessage = this.redact(event.error.message);
        this.state.usage = {
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
