import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { parseAnthropicRequest, type FakeAnthropicRequest } from './anthropic-request';
import { type FakeAnthropicReply, type FakeContentBlock, type FakeUsage, errorTypeFor } from './anthropic-replies';
import { type FakeAnthropicHandler, type FakeAnthropicHandlerResult, sequence } from './anthropic-scripts';
import { listen, parseJson, readBody, sendJson, trackSockets, writeSse } from './http-helpers';

export interface FakeAnthropicServerOptions {
  /** Decides each reply. Wins over `script`. */
  handler?: FakeAnthropicHandler;
  /** Replies played in order within each conversation (see `sequence`). */
  script?: readonly FakeAnthropicHandlerResult[];
  /**
   * Side requests (no tools, not a main agent turn, e.g. title generation) get a short text
   * without reaching the handler, unless this is true. @default false
   */
  isSideRequestHandled?: boolean;
  /** The text side requests and handlers returning nothing get. @default 'OK.' */
  defaultText?: string;
  /** Token usage reported when a reply does not set its own. @default { inputTokens: 10, outputTokens: 5 } */
  usage?: FakeUsage;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

export interface FakeAnthropicServer {
  /** The base URL, for `ANTHROPIC_BASE_URL`. */
  url: string;
  port: number;
  /** Every POST received, parsed, in order of arrival. */
  requests: FakeAnthropicRequest[];
  /** Environment that points Claude Code at this server, offline and quiet (merge into the child's env). */
  env: Record<string, string>;
  /**
   * `env` logged in as a claude.ai subscriber instead (a fake OAuth token, no API key): what
   * makes Claude Code turn a `reply.usageLimit` into its usage-limit message and event.
   */
  subscriberEnv: Record<string, string>;
  /** Stops the server, cutting connections held open by hang/stall replies. */
  close(): Promise<void>;
}

/**
 * A fake Anthropic Messages API on 127.0.0.1 that the real Claude Code CLI can talk to:
 * streaming (SSE) and non-streaming replies, tool uses, errors, hangs and stalls. Needs
 * nothing but Node.
 */
export async function createFakeAnthropicServer(options: FakeAnthropicServerOptions = {}): Promise<FakeAnthropicServer> {
  const handler = options.handler ?? sequence(options.script ?? []);
  const defaultText = options.defaultText ?? 'OK.';
  const defaultUsage = options.usage ?? { inputTokens: 10, outputTokens: 5 };
  const requests: FakeAnthropicRequest[] = [];
  let messageCount = 0;

  const server = createServer((incoming, response) => {
    void (async () => {
      const text = await readBody(incoming);
      if (incoming.method !== 'POST') {
        response.writeHead(200);
        response.end();
        return;
      }
      const request = parseAnthropicRequest({
        index: requests.length + 1,
        method: incoming.method,
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body: parseJson(text),
      });
      requests.push(request);
      let result: FakeAnthropicHandlerResult;
      try {
        result = request.isSideRequest && !options.isSideRequestHandled ? defaultText : await handler(request);
      } catch (error) {
        sendJson(response, 500, { type: 'error', error: { type: 'api_error', message: `fake handler threw: ${String(error)}` } });
        return;
      }
      const resolved: FakeAnthropicReply = result === undefined ? { type: 'message', content: [{ type: 'text', text: defaultText }] } : typeof result === 'string' ? { type: 'message', content: [{ type: 'text', text: result }] } : result;
      messageCount += 1;
      respond(response, request, resolved, `msg_fake_${messageCount}`, defaultUsage);
    })().catch(() => {
      if (!response.headersSent) sendJson(response, 500, { type: 'error', error: { type: 'api_error', message: 'fake server failure' } });
      else response.destroy();
    });
  });
  const closeServer = trackSockets(server);
  const port = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const env = {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: 'fake-anthropic-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  return {
    url,
    port,
    requests,
    env,
    subscriberEnv: { ...env, ANTHROPIC_API_KEY: '', CLAUDE_CODE_OAUTH_TOKEN: 'fake-subscriber-token' },
    close: closeServer,
  };
}

function contentFor(request: FakeAnthropicRequest, reply: FakeAnthropicReply & { type: 'message' | 'json' }): { content: Required<FakeContentBlock>[]; stopReason: string } {
  if (reply.type === 'json') {
    const toolName = request.hasStructuredOutput ? 'StructuredOutput' : request.forcedToolName;
    if (toolName !== undefined) {
      return { content: [{ type: 'tool_use', id: `toolu_${randomUUID().replaceAll('-', '')}`, name: toolName, input: reply.value as Record<string, unknown> }], stopReason: 'tool_use' };
    }
    return { content: [{ type: 'text', text: JSON.stringify(reply.value) }], stopReason: 'end_turn' };
  }
  const content = reply.content.map((block) => (block.type === 'tool_use' ? { ...block, id: block.id ?? `toolu_${randomUUID().replaceAll('-', '')}` } : block)) as Required<FakeContentBlock>[];
  const hasToolUse = content.some((block) => block.type === 'tool_use');
  return { content, stopReason: reply.stopReason ?? (hasToolUse ? 'tool_use' : 'end_turn') };
}

function respond(response: ServerResponse, request: FakeAnthropicRequest, reply: FakeAnthropicReply, messageId: string, defaultUsage: FakeUsage): void {
  if (reply.type === 'hang') return;
  if (reply.type === 'error') {
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
    const errorType = reply.errorType ?? errorTypeFor(reply.status);
    sendJson(response, reply.status, { type: 'error', error: { type: errorType, message: reply.message ?? errorType } }, headers);
    return;
  }
  const inputTokens = (reply.type === 'stall' ? undefined : reply.usage?.inputTokens) ?? defaultUsage.inputTokens ?? 10;
  const outputTokens = (reply.type === 'stall' ? undefined : reply.usage?.outputTokens) ?? defaultUsage.outputTokens ?? 5;
  const message = { id: messageId, type: 'message', role: 'assistant', model: request.model, content: [] as unknown[], stop_reason: null, stop_sequence: null };
  if (reply.type === 'stall') {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    writeSse(response, 'message_start', { type: 'message_start', message: { ...message, usage: { input_tokens: inputTokens, output_tokens: 1 } } });
    return;
  }
  const { content, stopReason } = contentFor(request, reply);
  if (!request.isStreaming) {
    sendJson(response, 200, { ...message, content, stop_reason: stopReason, usage: { input_tokens: inputTokens, output_tokens: outputTokens } });
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  writeSse(response, 'message_start', { type: 'message_start', message: { ...message, usage: { input_tokens: inputTokens, output_tokens: 1 } } });
  writeSse(response, 'ping', { type: 'ping' });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      writeSse(response, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      writeSse(response, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else {
      writeSse(response, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      writeSse(response, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    }
    writeSse(response, 'content_block_stop', { type: 'content_block_stop', index });
  });
  writeSse(response, 'message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  writeSse(response, 'message_stop', { type: 'message_stop' });
  response.end();
}
