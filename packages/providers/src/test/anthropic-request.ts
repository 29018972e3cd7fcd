import type { IncomingHttpHeaders } from 'node:http';

/** A tool result the CLI sent back (the outcome of the previous turn's tool use). */
export interface FakeToolResult {
  toolUseId: string;
  content: string;
  isError: boolean;
}

/** One request the fake Anthropic server received, parsed for handlers. */
export interface FakeAnthropicRequest {
  /** 1-based order of arrival over the server's life. */
  index: number;
  method: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw JSON body. */
  body: unknown;
  model: string;
  isStreaming: boolean;
  /** Every system block's text, joined with newlines. */
  system: string;
  messages: Array<{ role: string; content: unknown }>;
  /** The first user message's text without `<system-reminder>` blocks: the prompt. */
  prompt: string;
  /** The last user message's text without `<system-reminder>` blocks. */
  lastUserText: string;
  /** Tool results in the last user message. */
  toolResults: FakeToolResult[];
  hasTools: boolean;
  toolNames: string[];
  /** The CLI asked for structured output (`--json-schema` adds a `StructuredOutput` tool). */
  hasStructuredOutput: boolean;
  /** The tool the request forces (`tool_choice: { type: 'tool', name }`), as the AI SDK does for structured output. */
  forcedToolName?: string;
  /** How many assistant turns the conversation already has: 0 for its first request. */
  turnIndex: number;
  /** Identifies the conversation: the CLI's session header, else the prompt. */
  conversationId: string;
  /** A request without tools that is not a main agent turn (titles and other side calls). */
  isSideRequest: boolean;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function blocksOf(content: unknown): Json[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

function textOf(content: unknown): string {
  return blocksOf(content)
    .filter((block) => block['type'] === 'text' && typeof block['text'] === 'string')
    .map((block) => block['text'] as string)
    .filter((text) => !text.trimStart().startsWith('<system-reminder>'))
    .join('\n')
    .trim();
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  return blocksOf(content)
    .map((block) => (typeof block['text'] === 'string' ? block['text'] : ''))
    .join('\n');
}

/** Parses a Messages API request body into the shape handlers see. */
export function parseAnthropicRequest(input: { index: number; method: string; path: string; headers: IncomingHttpHeaders; body: unknown }): FakeAnthropicRequest {
  const body = isObject(input.body) ? input.body : {};
  const rawMessages = Array.isArray(body['messages']) ? body['messages'].filter(isObject) : [];
  const messages = rawMessages.map((message) => ({ role: String(message['role'] ?? ''), content: message['content'] }));
  const userMessages = messages.filter((message) => message.role === 'user');
  const lastUser = userMessages.at(-1);
  const systemValue = body['system'];
  const system =
    typeof systemValue === 'string'
      ? systemValue
      : blocksOf(systemValue)
          .map((block) => (typeof block['text'] === 'string' ? block['text'] : ''))
          .join('\n');
  const tools = Array.isArray(body['tools']) ? body['tools'].filter(isObject) : [];
  const toolNames = tools.map((tool) => String(tool['name'] ?? ''));
  const toolResults = blocksOf(lastUser?.content)
    .filter((block) => block['type'] === 'tool_result')
    .map((block) => ({
      toolUseId: String(block['tool_use_id'] ?? ''),
      content: toolResultText(block['content']),
      isError: block['is_error'] === true,
    }));
  const prompt = textOf(userMessages[0]?.content);
  const sessionHeader = input.headers['x-claude-code-session-id'];
  const hasTools = toolNames.length > 0;
  const isMainAgent = /Claude Code|Claude agent|Agent SDK/i.test(system);
  const toolChoice = isObject(body['tool_choice']) ? body['tool_choice'] : undefined;
  const forcedToolName = toolChoice?.['type'] === 'tool' && typeof toolChoice['name'] === 'string' ? toolChoice['name'] : undefined;
  return {
    index: input.index,
    method: input.method,
    path: input.path,
    headers: input.headers,
    body: input.body,
    model: typeof body['model'] === 'string' ? body['model'] : 'claude-fake',
    isStreaming: body['stream'] === true,
    system,
    messages,
    prompt,
    lastUserText: textOf(lastUser?.content),
    toolResults,
    hasTools,
    toolNames,
    hasStructuredOutput: toolNames.includes('StructuredOutput'),
    ...(forcedToolName === undefined ? {} : { forcedToolName }),
    turnIndex: messages.filter((message) => message.role === 'assistant').length,
    conversationId: typeof sessionHeader === 'string' ? sessionHeader : prompt,
    isSideRequest: !hasTools && !isMainAgent,
  };
}
