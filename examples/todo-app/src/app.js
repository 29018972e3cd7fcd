import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as todoRoute from '../app/api/todos/[id]/route.js';
import * as todosRoute from '../app/api/todos/route.js';
import { ValidationError } from './todo-store.js';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * The API: route files under app/ (Next.js App Router style, no framework needed), each
 * exporting a handler per HTTP method that gets `{ store, url, params, body }` and returns
 * `{ status, body }`.
 */
const ROUTES = [
  { pattern: /^\/api\/todos$/, handlers: todosRoute },
  { pattern: /^\/api\/todos\/([^/]+)$/, names: ['id'], handlers: todoRoute },
];

function sendJson(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('the body must be JSON');
  }
}

async function serveStatic(pathname, response) {
  const relative = normalize(pathname === '/' ? 'index.html' : pathname.slice(1));
  if (relative.startsWith('..')) return sendJson(response, 404, { error: 'not found' });
  try {
    const content = await readFile(join(PUBLIC_DIR, relative));
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream' });
    response.end(content);
  } catch {
    sendJson(response, 404, { error: 'not found' });
  }
}

/** The HTTP handler: the JSON API from the route files and the frontend from public/. */
export function createApp(store) {
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      for (const route of ROUTES) {
        const match = route.pattern.exec(url.pathname);
        if (!match) continue;
        const handler = route.handlers[request.method ?? 'GET'];
        if (typeof handler !== 'function') return sendJson(response, 405, { error: 'method not allowed' });
        const params = Object.fromEntries((route.names ?? []).map((name, index) => [name, decodeURIComponent(match[index + 1])]));
        const body = request.method === 'POST' || request.method === 'PATCH' || request.method === 'PUT' ? await readJson(request) : undefined;
        const result = await handler({ store, url, params, body });
        return sendJson(response, result.status, result.body);
      }
      return await serveStatic(url.pathname, response);
    } catch (error) {
      if (error instanceof ValidationError) return sendJson(response, 400, { error: error.message });
      return sendJson(response, 500, { error: 'internal error' });
    }
  };
}
