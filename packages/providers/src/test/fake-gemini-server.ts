import { createServer } from 'node:http';
import { listen, parseJson, readBody, sendJson, trackSockets, writeSse } from './http-helpers';

/** One request to the fake Gemini API. */
export interface FakeGeminiRequest {
  path: string;
  /** The model named in the path (`/v1beta/models/<model>:…`). */
  model: string;
  body: unknown;
  /** The text of the last user turn. */
  lastUserText: string;
  isStreaming: boolean;
  /** The last turn carries tool results (`functionResponse` parts): the CLI ran a tool call. */
  hasFunctionResponse: boolean;
}

export type FakeGeminiReply =
  | { type: 'text'; text: string }
  /** A tool call (`write_file {file_path, content}`, `run_shell_command {command}` …); the CLI answers with a functionResponse. */
  | { type: 'function-call'; name: string; args: Record<string, unknown> }
  | { type: 'error'; status: number; message?: string }
  | { type: 'hang' };

export interface FakeGeminiServerOptions {
  handler?: (request: FakeGeminiRequest) => FakeGeminiReply | string | Promise<FakeGeminiReply | string>;
  /** @default 0 */
  port?: number;
}

export interface FakeGeminiServer {
  /** Base URL, for `GOOGLE_GEMINI_BASE_URL`. */
  url: string;
  port: number;
  requests: FakeGeminiRequest[];
  close(): Promise<void>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const statusNames: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

function hasFunctionResponse(body: unknown): boolean {
  const contents = isObject(body) && Array.isArray(body['contents']) ? body['contents'] : [];
  const last = contents.at(-1);
  const parts = isObject(last) && Array.isArray(last['parts']) ? last['parts'] : [];
  return parts.some((part) => isObject(part) && 'functionResponse' in part);
}

function lastUserText(body: unknown): string {
  const contents = isObject(body) && Array.isArray(body['contents']) ? body['contents'] : [];
  const last = contents.filter((content) => isObject(content) && content['role'] === 'user').at(-1);
  const parts = isObject(last) && Array.isArray(last['parts']) ? last['parts'] : [];
  return parts.map((part) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('\n');
}

/** A fake Gemini API (`:streamGenerateContent?alt=sse` and `:generateContent`) in the shape Gemini CLI reads. */
export async function createFakeGeminiServer(options: FakeGeminiServerOptions = {}): Promise<FakeGeminiServer> {
  const requests: FakeGeminiRequest[] = [];
  const server = createServer((incoming, response) => {
    void (async () => {
      const body = parseJson(await readBody(incoming));
      const path = incoming.url ?? '/';
      if (incoming.method !== 'POST') return sendJson(response, 200, {});
      const match = /\/models\/([^:/?]+):(\w+)/.exec(path);
      const request: FakeGeminiRequest = { path, model: match?.[1] ?? 'unknown', body, lastUserText: lastUserText(body), isStreaming: match?.[2] === 'streamGenerateContent', hasFunctionResponse: hasFunctionResponse(body) };
      requests.push(request);
      const result = options.handler ? await options.handler(request) : 'OK.';
      const reply: FakeGeminiReply = typeof result === 'string' ? { type: 'text', text: result } : result;
      if (reply.type === 'hang') return;
      if (reply.type === 'error') {
        return sendJson(response, reply.status, { error: { code: reply.status, message: reply.message ?? `status ${reply.status}`, status: statusNames[reply.status] ?? 'UNKNOWN' } });
      }
      const chunk = {
        candidates: [{ content: { role: 'model', parts: [reply.type === 'text' ? { text: reply.text } : { functionCall: { name: reply.name, args: reply.args } }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
        modelVersion: request.model,
      };
      if (!request.isStreaming) return sendJson(response, 200, chunk);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      writeSse(response, undefined, chunk);
      response.end();
    })();
  });
  const close = trackSockets(server);
  const port = await listen(server, options.port ?? 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, port, requests, close };
}
