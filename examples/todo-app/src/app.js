import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from './todo-store.js';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

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

/** The HTTP handler: the JSON API under /api/todos and the frontend from public/. */
export function createApp(store) {
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = url.pathname.match(/^\/api\/todos(?:\/([^/]+))?$/);
    try {
      if (!match) return await serveStatic(url.pathname, response);
      const id = match[1];
      if (id === undefined && request.method === 'GET') return sendJson(response, 200, store.list());
      if (id === undefined && request.method === 'POST') return sendJson(response, 201, store.create(await readJson(request)));
      if (id !== undefined && request.method === 'PATCH') {
        const todo = store.update(id, await readJson(request));
        return todo ? sendJson(response, 200, todo) : sendJson(response, 404, { error: 'no such todo' });
      }
      if (id !== undefined && request.method === 'DELETE') {
        return store.remove(id) ? sendJson(response, 204) : sendJson(response, 404, { error: 'no such todo' });
      }
      return sendJson(response, 405, { error: 'method not allowed' });
    } catch (error) {
      if (error instanceof ValidationError) return sendJson(response, 400, { error: error.message });
      return sendJson(response, 500, { error: 'internal error' });
    }
  };
}
