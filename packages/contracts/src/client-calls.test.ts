import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractVerifier } from './index';
import type { Endpoint } from '@qoder-orch/spec';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-calls-'));
  directories.push(directory);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(directory, path)), { recursive: true });
    await writeFile(join(directory, path), content);
  }
  return directory;
}

const list = (endpoints: readonly Endpoint[]) => endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path} :${endpoint.line} ${endpoint.origin}`);

describe('frontend call extraction', () => {
  it('reads URLs from literals, templates, concatenation, constants, fallbacks and object constants', async () => {
    const projectDir = await project({
      'web/calls.ts': [
        "const API_URL = process.env.NEXT_PUBLIC_API_URL ?? 'http://localhost:4000/api';", // 1
        "const ENDPOINTS = { users: '/users', health: '/health' } as const;", // 2
        'export const a = () => fetch(`${API_URL}${ENDPOINTS.users}`);', // 3
        'export const b = (user: { id: string }) => fetch(`${API_URL}/users/${user.id}/posts?page=2`, { method: "GET" });', // 4
        'export const c = () => fetch(`${import.meta.env.VITE_API}/orders`);', // 5
        'export const d = (url: string) => fetch(url);', // 6
        "export const e = (options: RequestInit) => fetch('/api/users', options);", // 7
        "export const f = (options: RequestInit) => fetch('/api/users', { ...options });", // 8
        "export const g = (method: string) => fetch('/api/users', { method });", // 9
        "export const h = () => fetch('data:text/plain,hi');", // 10
        "export const i = () => fetch('/manifest.json');", // 11
        "export const j = () => fetch('/api/export.csv');", // 12
        "export const k = () => fetch('https://api.example.com/v2/users/' + 42);", // 13
      ].join('\n'),
    });
    const report = await new ContractVerifier().verify({ projectDir });
    expect(list(report.frontend)).toEqual([
      'GET /api/users :3 fetch',
      'GET /api/users/{id}/posts :4 fetch',
      'GET /{VITE_API*}/orders :5 fetch',
      '* /api/users :7 fetch',
      '* /api/users :8 fetch',
      '* /api/users :9 fetch',
      'GET /api/export.csv :12 fetch',
    ]);
    // Another host is a third-party service, unless named as the API's.
    expect(report.notes).toEqual(["Left out calls to other hosts, taken for third-party services: api.example.com (1). Name your API's hosts in apiHosts to check them."]);
    const named = await new ContractVerifier({ apiHosts: ['https://api.example.com'] }).verify({ projectDir });
    expect(list(named.frontend).at(-1)).toBe('GET /v2/users/42 :13 fetch');
    expect(named.frontend.at(-1)?.host).toBe('api.example.com');
    expect(named.notes).toBeUndefined();
  });

  it('gives calls on a client with an absolute base URL that host', async () => {
    const projectDir = await project({
      'src/github.ts': "import axios from 'axios';\nexport const github = axios.create({ baseURL: 'https://api.github.com' });\n",
      'src/repos.ts':
        "import { github } from './github';\nimport axios from 'axios';\nconst local = axios.create({ baseURL: 'http://127.0.0.1:8000/api' });\nexport const repos = () => github.get('/user/repos');\nexport const mine = () => local.get('/repos');\n",
    });
    const report = await new ContractVerifier().verify({ projectDir });
    expect(report.frontend.map((endpoint) => `${endpoint.method} ${endpoint.path} ${endpoint.host}`)).toEqual(['GET /api/repos 127.0.0.1:8000']);
    expect(report.notes?.[0]).toContain('api.github.com (1)');
  });

  it('reads axios and ky calls, instances and their base URLs, and ignores look-alikes', async () => {
    const projectDir = await project({
      'src/http.ts': "import axios from 'axios';\nconst BASE = '/api/v1';\nconst http = axios.create({ baseURL: BASE });\nexport default http;\n",
      'src/ky-client.ts': "import ky from 'ky';\nexport const client = ky.extend({ prefixUrl: 'http://localhost/api' });\n",
      'src/calls.ts': [
        "import axios from 'axios';", // 1
        "import ky from 'ky';", // 2
        "import http from './http';", // 3
        "import { client } from './ky-client';", // 4
        "import { store } from './store';", // 5
        "export const a = () => axios({ url: '/api/a', method: 'delete' });", // 6
        "export const b = () => axios('/api/b', { method: 'PUT' });", // 7
        "export const c = () => axios.request({ url: '/api/c', method: 'patch' });", // 8
        'export const d = (id: number) => http.get(`/items/${id}`);', // 9
        'export const e = () => http({ url: "items", method: "post" });', // 10
        "export const f = () => client.post('items').json();", // 11
        "export const g = () => ky('api/g', { method: 'head' });", // 12
        "export const h = () => store.get('/not-http');", // 13
        "export const i = () => new Map().get('/not-http');", // 14
      ].join('\n'),
      'src/store.ts': 'export const store = new Map<string, string>();\n',
    });
    const report = await new ContractVerifier().verify({ projectDir });
    expect(list(report.frontend)).toEqual(['DELETE /api/a :6 axios', 'PUT /api/b :7 axios', 'PATCH /api/c :8 axios', 'GET /api/v1/items/{id} :9 axios', 'POST /api/v1/items :10 axios', 'POST /api/items :11 ky', 'HEAD /api/g :12 ky']);
  });

  it('reads the script blocks of Vue and Svelte components, on their real lines', async () => {
    const projectDir = await project({
      'src/api/http.ts': "import axios from 'axios';\nexport default axios.create({ baseURL: '/api' });\n",
      'src/components/Users.vue': [
        '<template>', // 1
        '  <button @click="load">fetch(\'/api/not-code\')</button>', // 2
        '</template>', // 3
        '<script setup lang="ts">', // 4
        "import http from '@/api/http';", // 5
        "const load = () => http.get('/users');", // 6
        '</script>', // 7
      ].join('\n'),
      'src/routes/Page.svelte': ['<script>', "  const promise = fetch('/api/page', { method: 'POST' });", '</script>', '<p>{"fetch(\'/api/markup\')"}</p>'].join('\n'),
    });
    const report = await new ContractVerifier().verify({ projectDir });
    expect(list(report.frontend)).toEqual(['GET /api/users :6 axios', 'POST /api/page :2 fetch']);
  });

  it('follows request wrappers: in the file, across files, around instances, with fixed methods', async () => {
    const projectDir = await project({
      'src/lib/api.ts': [
        "import axios from 'axios';", // 1
        "const API = 'http://localhost:8080/api';", // 2
        'export async function request(path: string, init?: RequestInit) {', // 3
        '  const response = await fetch(`${API}${path}`, init);', // 4
        '  return response.json();', // 5
        '}', // 6
        "export const postJson = (endpoint: string, body: unknown) => fetch(API + endpoint, { method: 'POST', body: JSON.stringify(body) });", // 7
        "const http = axios.create({ baseURL: '/v2' });", // 8
        'export const getResource = (url: string) => http.get(url).then((response) => response.data);', // 9
        "export const health = () => request('/health');", // 10
      ].join('\n'),
      'src/pages/users.ts': [
        "import { getResource, postJson, request } from '../lib/api';", // 1
        "export const users = () => request('/users');", // 2
        "export const remove = (id: string) => request(`/users/${id}`, { method: 'DELETE' });", // 3
        "export const create = () => postJson('/users', { name: 'x' });", // 4
        "export const teams = () => getResource('/teams');", // 5
        'export const anything = (path: string) => fetch(`/api${path}`);', // 6
        'export const helper = (value: string) => value.trim();', // 7
        "export const notACall = () => helper('/not/a/url');", // 8
      ].join('\n'),
      'src/pages/helpers.ts': 'export const helper = (value: string) => value.trim();\n',
      'src/pages/orders.ts': "import { request } from '../lib/api';\nexport const orders = () => request('/orders');\n",
    });
    const report = await new ContractVerifier().verify({ projectDir });
    expect(list(report.frontend)).toEqual(['GET /api/health :10 fetch', 'GET /api/orders :2 fetch', 'GET /api/users :2 fetch', 'DELETE /api/users/{id} :3 fetch', 'POST /api/users :4 fetch', 'GET /v2/teams :5 axios']);
    expect(report.frontend.map((endpoint) => endpoint.file)).toEqual(['src/lib/api.ts', 'src/pages/orders.ts', 'src/pages/users.ts', 'src/pages/users.ts', 'src/pages/users.ts', 'src/pages/users.ts']);
  });

  it('matches calls whose base URL is unknown (from the environment) by the end of the path', async () => {
    const projectDir = await project({
      'server/app.js': "const express = require('express');\nconst app = express();\napp.get('/api/v1/users', (q, s) => s.end());\n",
      'web/client.ts': [
        "import axios from 'axios';", // 1
        'const api = axios.create({ baseURL: process.env.REACT_APP_API_URL });', // 2
        "export const users = () => api.get('/users');", // 3
        "export const orders = () => api.get('/orders');", // 4
        'export const direct = () => fetch(`${import.meta.env.VITE_API}/v1/users`);', // 5
      ].join('\n'),
    });
    const report = await new ContractVerifier().verify({ projectDir });
    expect(list(report.frontend)).toEqual(['GET /{REACT_APP_API_URL*}/users :3 axios', 'GET /{REACT_APP_API_URL*}/orders :4 axios', 'GET /{VITE_API*}/v1/users :5 fetch']);
    expect(report.findings.map((finding) => [finding.kind, finding.path, finding.line])).toEqual([['not-served', '/{REACT_APP_API_URL*}/orders', 4]]);
  });

  it('reads SWR keys as GET calls', async () => {
    const projectDir = await project({
      'src/profile.tsx': [
        "import useSWR from 'swr';", // 1
        'const fetcher = (url: string) => fetch(url).then((response) => response.json());', // 2
        "export const useUser = () => useSWR('/api/user', fetcher);", // 3
        "export const useTeam = (token: string) => useSWR(['/api/team', token], fetcher);", // 4
        "export const useLocal = () => useSWR('settings', () => localStorage.getItem('x'));", // 5
      ].join('\n'),
      'src/orders.tsx': "import useSWR from 'swr';\nexport const useOrders = () => useSWR('/api/orders');\n",
    });
    const report = await new ContractVerifier().verify({ projectDir });
    expect(list(report.frontend)).toEqual(['GET /api/orders :2 fetch', 'GET /api/user :3 fetch', 'GET /api/team :4 fetch']);
  });
});
