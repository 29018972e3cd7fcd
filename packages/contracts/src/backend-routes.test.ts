import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTE_EXTRACTORS, ContractVerifier, extractCallRoutes, type RouteExtractor } from './index';
import type { Endpoint } from '@qoder-orch/spec';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

async function backend(files: Record<string, string>): Promise<Endpoint[]> {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-routes-'));
  directories.push(directory);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(directory, path)), { recursive: true });
    await writeFile(join(directory, path), content);
  }
  return (await new ContractVerifier().verify({ projectDir: directory })).backend;
}

const list = (endpoints: readonly Endpoint[]) => endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path} ${endpoint.file}:${endpoint.line}`);

describe('backend route extraction', () => {
  it('follows Express mounts through several files, CommonJS and inline requires', async () => {
    const routes = await backend({
      'src/server.js': "const express = require('express');\nconst api = require('./api');\nconst app = express();\napp.use('/api', api);\napp.use('/v1', require('./legacy'));\napp.all('/ping', (q, s) => s.end());\n",
      'src/api/index.js': "const { Router } = require('express');\nconst users = require('./users');\nconst router = Router();\nrouter.use('/users', users);\nmodule.exports = router;\n",
      'src/api/users.js': "const express = require('express');\nconst router = express.Router();\nrouter.get(['/', '/list'], (q, s) => s.json([]));\nrouter.delete('/:id', (q, s) => s.end());\nmodule.exports = router;\n",
      'src/legacy.js':
        "const express = require('express');\nconst axios = require('axios');\nconst legacy = express.Router();\nlegacy.post('/login', async (q, s) => s.json(await axios.post('/auth/token', q.body)));\nmodule.exports = legacy;\n",
    });
    expect(list(routes)).toEqual(['GET /api/users src/api/users.js:3', 'GET /api/users/list src/api/users.js:3', 'DELETE /api/users/{id} src/api/users.js:4', 'POST /v1/login src/legacy.js:4', '* /ping src/server.js:6']);
  });

  it('mounts one router twice under two prefixes', async () => {
    const routes = await backend({
      'app.ts': "import express from 'express';\nimport { router as items } from './items';\nconst app = express();\napp.use('/api/v1/items', items);\napp.use('/api/v2/items', items);\n",
      'items.ts': "import { Router } from 'express';\nexport const router = Router();\nrouter.get('/:id', (q, s) => s.end());\n",
    });
    expect(list(routes)).toEqual(['GET /api/v1/items/{id} items.ts:3', 'GET /api/v2/items/{id} items.ts:3']);
  });

  it('reads FastAPI routers imported by name, with prefixes on both sides', async () => {
    const routes = await backend({
      'app/main.py': 'from fastapi import FastAPI\nfrom app.routers.users import router as users_router\n\napp = FastAPI()\napp.include_router(\n    users_router,\n    prefix="/v1",\n)\n',
      'app/routers/users.py':
        'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/users")\n\n\n@router.get("/{user_id}", response_model=dict)\nasync def read(user_id: int):\n    return {}\n\n\n@router.delete("/{user_id}")\nasync def delete(user_id: int):\n    return None\n',
    });
    expect(list(routes)).toEqual(['GET /v1/users/{user_id} app/routers/users.py:6', 'DELETE /v1/users/{user_id} app/routers/users.py:11']);
  });

  it('reports a route once when two extractors read it', async () => {
    const routes = await backend({ 'app.py': '# Ported from flask to fastapi.\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/ping")\ndef ping():\n    return "pong"\n' });
    expect(list(routes)).toEqual(['GET /ping app.py:6']);
  });

  it('reads Koa nested routers and Hono chains', async () => {
    const routes = await backend({
      'koa/index.ts': "import Router from '@koa/router';\nimport admin from './admin';\nconst router = new Router();\nrouter.use('/admin', admin.routes());\nrouter.get('/', (ctx) => {});\nexport default router;\n",
      'koa/admin.ts': "import Router from '@koa/router';\nconst admin = new Router();\nadmin.prefix('/v2');\nadmin.del('/users/:id', (ctx) => {});\nexport default admin;\n",
      'hono/app.ts': "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/a', (c) => c.text('a')).post('/b', (c) => c.text('b'));\nexport default app;\n",
    });
    expect(list(routes)).toEqual(['GET /a hono/app.ts:3', 'POST /b hono/app.ts:3', 'DELETE /{mount*}/admin/v2/users/{id} koa/admin.ts:4', 'GET /{mount*} koa/index.ts:5']);
  });

  it('leaves out tests, node_modules and hidden folders', async () => {
    const routes = await backend({
      'src/app.ts': "import express from 'express';\nconst app = express();\napp.get('/real', (q, s) => s.end());\n",
      'src/app.test.ts': "import express from 'express';\nconst app = express();\napp.get('/test-only', (q, s) => s.end());\n",
      'node_modules/lib/index.js': "const express = require('express');\nconst app = express();\napp.get('/dependency', (q, s) => s.end());\n",
      '.cache/app.js': "const express = require('express');\nconst app = express();\napp.get('/hidden', (q, s) => s.end());\n",
      'tests/server.ts': "import express from 'express';\nconst app = express();\napp.get('/fixture', (q, s) => s.end());\n",
    });
    expect(list(routes)).toEqual(['GET /real src/app.ts:3']);
  });

  it('lets GET routes answer HEAD calls, but not the other way round', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-routes-'));
    directories.push(directory);
    await writeFile(join(directory, 'server.js'), "const express = require('express');\nconst app = express();\napp.get('/api/file', (q, s) => s.end());\napp.head('/api/probe', (q, s) => s.end());\n");
    await writeFile(join(directory, 'client.js'), "export const a = () => fetch('/api/file', { method: 'HEAD' });\nexport const b = () => fetch('/api/probe');\n");
    const report = await new ContractVerifier().verify({ projectDir: directory });
    expect(report.findings.map((finding) => [finding.kind, finding.method, finding.path, finding.line])).toEqual([['method-mismatch', 'GET', '/api/probe', 2]]);
  });

  it('lets users add an Express-family framework with extractCallRoutes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-routes-'));
    directories.push(directory);
    await writeFile(join(directory, 'server.js'), "const polka = require('polka');\nconst app = polka();\napp.get('/users/:id', (q, s) => s.end());\n");
    const polkaExtractor: RouteExtractor = {
      name: 'polka',
      side: 'backend',
      matches: (file) => file.endsWith('.js'),
      extract: (file, text) => (text.includes('polka') ? extractCallRoutes(file, text, { mountStyle: 'use' }) : []),
    };
    expect(list((await new ContractVerifier().verify({ projectDir: directory })).backend)).toEqual([]);
    const report = await new ContractVerifier({ extractors: [...DEFAULT_ROUTE_EXTRACTORS, polkaExtractor] }).verify({ projectDir: directory });
    expect(report.backend.map((endpoint) => `${endpoint.origin} ${endpoint.method} ${endpoint.path} ${endpoint.line}`)).toEqual(['polka GET /users/{id} 3']);
  });

  it('keeps a prefix the code computes as a {NAME*} segment that matches any path ending the same way', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-routes-'));
    directories.push(directory);
    await mkdir(join(directory, 'backend/app/api'), { recursive: true });
    await mkdir(join(directory, 'server'), { recursive: true });
    await mkdir(join(directory, 'web'), { recursive: true });
    await writeFile(join(directory, 'backend/app/main.py'), 'from fastapi import FastAPI\nfrom app.api.users import router\nfrom app.core.config import settings\n\napp = FastAPI()\napp.include_router(router, prefix=settings.API_V1_STR)\n');
    await writeFile(join(directory, 'backend/app/api/users.py'), 'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/users")\n\n@router.get("/")\ndef users():\n    return []\n');
    await writeFile(
      join(directory, 'server/app.js'),
      "const express = require('express');\nconst { API_PREFIX } = require('./config');\nconst auth = require('./auth');\nconst app = express();\nconst items = express.Router();\nitems.get('/items', (q, s) => s.end());\napp.use(API_PREFIX, items);\napp.use(auth, items);\n",
    );
    await writeFile(join(directory, 'web/client.js'), "export const a = () => fetch('/api/v1/users');\nexport const b = () => fetch('/api/items');\nexport const c = () => fetch('/api/v1/teams');\n");
    const report = await new ContractVerifier().verify({ projectDir: directory });
    expect(list(report.backend)).toEqual(['GET /{API_V1_STR*}/users backend/app/api/users.py:5', 'GET /{API_PREFIX*}/items server/app.js:6', 'GET /items server/app.js:6']);
    expect(report.findings.filter((finding) => finding.severity === 'error').map((finding) => [finding.kind, finding.path])).toEqual([['not-served', '/api/v1/teams']]);
    // What could not be computed is said, as warnings with the reason and the place.
    const warnings = report.findings.filter((finding) => finding.severity === 'warning');
    expect(warnings.map((finding) => [finding.kind, `${finding.file}:${finding.line}`])).toEqual([
      ['unresolved', 'backend/app/main.py:6'],
      ['unresolved', 'server/app.js:7'],
    ]);
    expect(warnings[0]?.message).toContain('settings.API_V1_STR');
    expect(warnings[1]?.message).toContain('API_PREFIX comes from ./config, which was not read');
  });

  it('keeps a route whose path the code computes as "some path under its router", and ignores look-ups that only look like routes', async () => {
    const routes = await backend({
      'server.js':
        "import express from 'express';\nimport { loadPaths } from './paths.js';\nconst paths = loadPaths();\nconst cache = new Map();\nconst app = express();\nconst api = express.Router();\napi.get(paths.users, (req, res) => res.json(cache.get(req.query.key, [])));\napp.use('/api', api);\n",
    });
    expect(list(routes)).toEqual(['GET /api/{path*} server.js:7']);
  });
});
