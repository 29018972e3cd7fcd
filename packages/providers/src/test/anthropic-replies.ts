/** A content block the fake model answers with. */
export type FakeContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> };

export interface FakeUsage {
  inputTokens?: number;
  outputTokens?: number;
}

/** What the fake Anthropic server does with one request. */
export type FakeAnthropicReply =
  /** A normal assistant message (streamed as SSE or sent as JSON, as the request asked). */
  | { type: 'message'; content: FakeContentBlock[]; usage?: FakeUsage; stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' }
  /**
   * A structured answer: a `StructuredOutput` tool call when the request offers that tool
   * (Claude's `--json-schema`), a call of the tool the request forces (the AI SDK's object
   * generation), the JSON as text otherwise.
   */
  | { type: 'json'; value: unknown; usage?: FakeUsage }
  /** An HTTP error in the Anthropic error shape. */
  | { type: 'error'; status: number; errorType?: string; message?: string; retryAfterSeconds?: number; headers?: Record<string, string> }
  /** Never answers (only the client's timeout or the server's close ends it). */
  | { type: 'hang' }
  /** Sends `message_start` then nothing more. */
  | { type: 'stall' };

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** The Anthropic error `type` for an HTTP status. */
export function errorTypeFor(status: number): string {
  return errorTypes[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/**
 * Builders for replies. A tool use answer makes the CLI run the tool and come back with its
 * result in the next request; end a conversation with `reply.text`.
 */
export const reply = {
  text: (text: string, usage?: FakeUsage): FakeAnthropicReply => ({ type: 'message', content: [{ type: 'text', text }], ...(usage ? { usage } : {}) }),
  /** One or more tool calls in one assistant turn, optionally preceded by text. */
  tools: (calls: Array<{ name: string; input: Record<string, unknown>; id?: string }>, text?: string): FakeAnthropicReply => ({
    type: 'message',
    stopReason: 'tool_use',
    content: [...(text === undefined ? [] : [{ type: 'text' as const, text }]), ...calls.map((call) => ({ type: 'tool_use' as const, name: call.name, input: call.input, ...(call.id ? { id: call.id } : {}) }))],
  }),
  toolUse: (name: string, input: Record<string, unknown>, text?: string): FakeAnthropicReply => reply.tools([{ name, input }], text),
  /** `Write { file_path, content }`: the path must be absolute. */
  write: (filePath: string, content: string, text?: string): FakeAnthropicReply => reply.toolUse('Write', { file_path: filePath, content }, text),
  /** `Edit { file_path, old_string, new_string, replace_all? }`. The CLI requires a Read of the file first. */
  edit: (filePath: string, oldString: string, newString: string, text?: string): FakeAnthropicReply => reply.toolUse('Edit', { file_path: filePath, old_string: oldString, new_string: newString }, text),
  read: (filePath: string, text?: string): FakeAnthropicReply => reply.toolUse('Read', { file_path: filePath }, text),
  bash: (command: string, text?: string): FakeAnthropicReply => reply.toolUse('Bash', { command, description: 'run a command' }, text),
  json: (value: unknown): FakeAnthropicReply => ({ type: 'json', value }),
  error: (status: number, message?: string, retryAfterSeconds?: number): FakeAnthropicReply => ({
    type: 'error',
    status,
    ...(message === undefined ? {} : { message }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  }),
  rateLimited: (retryAfterSeconds = 1): FakeAnthropicReply => reply.error(429, 'Rate limited by the fake server', retryAfterSeconds),
  overloaded: (): FakeAnthropicReply => reply.error(529, 'Overloaded'),
  serverError: (): FakeAnthropicReply => reply.error(500, 'Internal server error'),
  unauthorized: (): FakeAnthropicReply => reply.error(401, 'invalid x-api-key'),
  /**
   * A subscription's usage limit, as the API answers it: 429 with
   * `anthropic-ratelimit-unified-status: rejected`, the reset (epoch seconds) and the window that
   * hit. Claude Code reads it as a usage limit only when logged in as a subscriber (see the
   * server's `subscriberEnv`); with an API key it is a plain 429.
   */
  usageLimit: (resetsAt: Date, window: 'five_hour' | 'seven_day' | 'seven_day_opus' = 'five_hour'): FakeAnthropicReply => ({
    type: 'error',
    status: 429,
    errorType: 'rate_limit_error',
    message: "This request would exceed your account's rate limit. Please try again later.",
    headers: {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(Math.ceil(resetsAt.getTime() / 1000)),
      'anthropic-ratelimit-unified-representative-claim': window,
    },
  }),
  hang: (): FakeAnthropicReply => ({ type: 'hang' }),
  stall: (): FakeAnthropicReply => ({ type: 'stall' }),
};
