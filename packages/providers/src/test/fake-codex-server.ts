import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { listen, parseJson, readBody, sendJson, trackSockets, writeSse } from './http-helpers';

/** One request to the fake Responses API. */
export interface FakeCodexRequest {
  path: string;
  body: unknown;
  model: string;
  /** The text of the last user input item. */
  lastUserText: string;
  isStreaming: boolean;
}

export type FakeCodexReply =
  | { type: 'text'; text: string }
  /** A `function_call` item (Codex runs `exec_command` / `shell` calls). */
  | { type: 'function-call'; name: string; arguments: Record<string, unknown> }
  | { type: 'error'; status: number; message?: string; retryAfterSeconds?: number }
  | { type: 'hang' };

export interface FakeCodexServerOptions {
  handler?: (request: FakeCodexRequest) => FakeCodexReply | string | Promise<FakeCodexReply | string>;
  /** @default 0 */
  port?: number;
}

export interface FakeCodexServer {
  /** Base URL ending in `/v1`, for a Codex `model_providers.<id>.base_url`. */
  url: string;
  port: number;
  requests: FakeCodexRequest[];
  close(): Promise<void>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function lastUserText(body: unknown): string {
  const input = isObject(body) ? body['input'] : undefined;
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  const users = input.filter((item) => isObject(item) && item['role'] === 'user');
  const content = isObject(users.at(-1)) ? (users.at(-1) as Record<string, unknown>)['content'] : undefined;
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((part) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('\n') : '';
}

/** A fake OpenAI Responses API (`POST /v1/responses`, streamed) in the shape Codex CLI reads. */
export async function createFakeCodexServer(options: FakeCodexServerOptions = {}): Promise<FakeCodexServer> {
  const requests: FakeCodexRequest[] = [];
  const server = createServer((incoming, response) => {
    void (async () => {
      const body = parseJson(await readBody(incoming));
      if (incoming.method !== 'POST') return sendJson(response, 200, {});
      const request: FakeCodexRequest = {
        path: incoming.url ?? '/',
        body,
        model: isObject(body) && typeof body['model'] === 'string' ? body['model'] : 'fake-model',
        lastUserText: lastUserText(body),
        isStreaming: isObject(body) && body['stream'] === true,
      };
      requests.push(request);
      const result = options.handler ? await options.handler(request) : 'OK.';
      const reply: FakeCodexReply = typeof result === 'string' ? { type: 'text', text: result } : result;
      if (reply.type === 'hang') return;
      if (reply.type === 'error') {
        const headers: Record<string, string> = reply.retryAfterSeconds === undefined ? {} : { 'retry-after': String(reply.retryAfterSeconds) };
        return sendJson(response, reply.status, { error: { message: reply.message ?? `status ${reply.status}`, type: 'fake_error' } }, headers);
      }
      const responseId = `resp_${randomUUID().replaceAll('-', '')}`;
      const item =
        reply.type === 'text'
          ? { id: `msg_${requests.length}`, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply.text, annotations: [] }] }
          : { id: `fc_${requests.length}`, type: 'function_call', status: 'completed', call_id: `call_${requests.length}`, name: reply.name, arguments: JSON.stringify(reply.arguments) };
      const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 };
      const base = { id: responseId, object: 'response', model: request.model };
      if (!request.isStreaming) return sendJson(response, 200, { ...base, status: 'completed', output: [item], usage });
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (data: Record<string, unknown>) => writeSse(response, String(data['type']), data);
      send({ type: 'response.created', response: { ...base, status: 'in_progress', output: [] } });
      send({ type: 'response.output_item.added', output_index: 0, item: reply.type === 'text' ? { ...item, status: 'in_progress', content: [] } : item });
      if (reply.type === 'text') send({ type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: reply.text });
      send({ type: 'response.output_item.done', output_index: 0, item });
      send({ type: 'response.completed', response: { ...base, status: 'completed', output: [item], usage } });
      response.end();
    })();
  });
  const close = trackSockets(server);
  const port = await listen(server, options.port ?? 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/v1`, port, requests, close };
}
