import type { AgentEvent } from '@qoder-orch/spec';
import type { UsageLimitNotice } from '../errors/usage-limit';
import { type EventParserOptions, clipEventOutput, keepOtherLine, parseJsonLine, safeListener } from '../process/json-lines-parser';
import { ClaudeApiRetrySchema, ClaudeInitSchema, ClaudeMessageLineSchema, type ClaudeResult, ClaudeResultSchema } from './claude-stream-schema';

export type ClaudeStreamParserOptions = EventParserOptions;

/** What a finished stream said. */
export interface ClaudeStreamSummary {
  /** The validated `result` object, when one arrived. */
  result: ClaudeResult | undefined;
  /** A `result` line that did not validate (the CLI's format changed). */
  invalidResultLine: string | undefined;
  sessionId: string | undefined;
  model: string | undefined;
  version: string | undefined;
  /** The last `api_retry` the CLI reported. */
  lastRetryStatus: number | undefined;
  retries: number;
  /** The agent's text blocks, in order (the summary when the result carries none). */
  texts: string[];
  /** Lines that were not JSON (warnings, crashes). */
  otherLines: string[];
  /** A `rate_limit_event` said the subscription's limit rejected the request (with its reset time). */
  usageLimit?: UsageLimitNotice | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('\n');
}

function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]));
  return value;
}

/**
 * Parses Claude Code's `--output-format stream-json --verbose` output one line at a time into
 * agent events (text, tool calls, tool results, retries) and keeps the final result.
 */
export class ClaudeStreamParser {
  readonly #emit: (event: AgentEvent) => void;
  readonly #redact: (text: string) => string;
  readonly #pendingToolCalls = new Set<string>();
  readonly #summary: ClaudeStreamSummary = {
    result: undefined,
    invalidResultLine: undefined,
    sessionId: undefined,
    model: undefined,
    version: undefined,
    lastRetryStatus: undefined,
    retries: 0,
    texts: [],
    otherLines: [],
  };

  constructor(options: ClaudeStreamParserOptions = {}) {
    this.#emit = safeListener(options.onEvent);
    this.#redact = options.redact ?? ((text) => text);
  }

  /** Feeds one line of output. */
  push(line: string): void {
    const json = parseJsonLine(line, this.#summary.otherLines);
    if (!json) return;
    const { value } = json;
    if (!isRecord(value)) {
      keepOtherLine(this.#summary.otherLines, json.trimmed);
      return;
    }
    if (typeof value['session_id'] === 'string' && !this.#summary.sessionId) this.#summary.sessionId = value['session_id'];
    switch (value['type']) {
      case 'system':
        this.#system(value);
        return;
      case 'assistant':
      case 'user':
        this.#message(value);
        return;
      case 'rate_limit_event':
        this.#rateLimitEvent(value);
        return;
      case 'result': {
        const parsed = ClaudeResultSchema.safeParse(value);
        if (parsed.success) {
          this.#summary.result = parsed.data;
          if (parsed.data.session_id) this.#summary.sessionId = parsed.data.session_id;
        } else {
          this.#summary.invalidResultLine = json.trimmed;
        }
        return;
      }
      default:
        return;
    }
  }

  /** Whether a tool call is waiting for its result (the CLI is running a tool, silently). */
  hasPendingToolCalls(): boolean {
    return this.#pendingToolCalls.size > 0;
  }

  /** Everything the stream said so far. */
  summary(): ClaudeStreamSummary {
    return this.#summary;
  }

  /**
   * Claude Code 2.x (subscribers): `{"type":"rate_limit_event","rate_limit_info":{"status":"rejected",
   * "resetsAt":<epoch s>,"rateLimitType":"five_hour",…}}` before the failed turn; `allowed` and
   * `allowed_warning` are informational.
   */
  #rateLimitEvent(value: Record<string, unknown>): void {
    const info = value['rate_limit_info'];
    if (!isRecord(info) || info['status'] !== 'rejected') return;
    const resetsAt = typeof info['resetsAt'] === 'number' && Number.isFinite(info['resetsAt']) ? new Date(info['resetsAt'] * 1000) : undefined;
    this.#summary.usageLimit = resetsAt ? { resetsAt } : {};
    this.#emit({ type: 'status', message: `usage limit reached${resetsAt ? `; resets at ${resetsAt.toISOString()}` : ''}` });
  }

  #system(value: Record<string, unknown>): void {
    const init = ClaudeInitSchema.safeParse(value);
    if (init.success) {
      this.#summary.model = init.data.model ?? undefined;
      this.#summary.version = init.data.claude_code_version ?? undefined;
      const details = [init.data.model && `model ${init.data.model}`, init.data.permissionMode && `permission mode ${init.data.permissionMode}`].filter(Boolean).join(', ');
      this.#emit({ type: 'status', message: `Claude Code ${init.data.claude_code_version ?? ''} started${details ? ` (${details})` : ''}`.replace('  ', ' ') });
      return;
    }
    const retry = ClaudeApiRetrySchema.safeParse(value);
    if (retry.success) {
      this.#summary.retries += 1;
      this.#summary.lastRetryStatus = retry.data.error_status ?? undefined;
      this.#emit({
        type: 'retry',
        attempt: retry.data.attempt,
        ...(retry.data.max_retries == null ? {} : { maxRetries: retry.data.max_retries }),
        ...(retry.data.retry_delay_ms == null ? {} : { delayMs: Math.round(retry.data.retry_delay_ms) }),
        ...(retry.data.error_status == null ? {} : { errorStatus: retry.data.error_status }),
      });
    }
  }

  #message(value: Record<string, unknown>): void {
    const parsed = ClaudeMessageLineSchema.safeParse(value);
    if (!parsed.success) return;
    const content = parsed.data.message.content;
    const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : (content ?? []);
    for (const block of blocks) {
      if (parsed.data.type === 'assistant') {
        if (block.type === 'text' && typeof block['text'] === 'string') {
          const text = this.#redact(block['text']);
          this.#summary.texts.push(text);
          this.#emit({ type: 'text', text });
        } else if (block.type === 'tool_use') {
          this.#pendingToolCalls.add(String(block['id'] ?? ''));
          this.#emit({
            type: 'tool-call',
            toolCallId: String(block['id'] ?? ''),
            toolName: String(block['name'] ?? ''),
            input: redactDeep(block['input'], this.#redact),
          });
        }
      } else if (block.type === 'tool_result') {
        this.#pendingToolCalls.delete(String(block['tool_use_id'] ?? ''));
        this.#emit({
          type: 'tool-result',
          toolCallId: String(block['tool_use_id'] ?? ''),
          isError: block['is_error'] === true,
          output: clipEventOutput(this.#redact(toolResultText(block['content']))),
        });
      }
    }
  }
}
