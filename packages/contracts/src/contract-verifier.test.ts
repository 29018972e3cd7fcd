import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractVerifier, createIntegrationRegistry, formatContractReport } from './index';
import { ContractReportSchema, type ContractReport, type Endpoint } from '@qoder-orch/spec';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

const findings = (report: ContractReport) => report.findings.map((finding) => [finding.kind, finding.method, finding.path, `${finding.file}:${finding.line}`, finding.severity]);
const list = (endpoints: readonly Endpoint[]) => endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path} ${endpoint.file}:${endpoint.line}`);

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});
const temporaryCopy = async (name: string) => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-contract-'));
  directories.push(directory);
  await cp(fixture(name), directory, { recursive: true });
  return directory;
};

describe('ContractVerifier on sample projects', () => {
  it('Express + fetch, with an OpenAPI contract', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('express-fetch') });
    expect(report.contractSource).toBe('openapi.yaml');
    expect(list(report.contract)).toEqual([
      'GET /api/users openapi.yaml:7',
      'POST /api/users openapi.yaml:9',
      'GET /api/users/{userId} openapi.yaml:12',
      'PATCH /api/users/{id}/avatar openapi.yaml:15',
      'GET /api/users/{id}/posts openapi.yaml:18',
    ]);
    // The router is mounted under /api from another file; `app.get('env')` is a settings read.
    expect(list(report.backend)).toEqual([
      'GET /health server/src/app.ts:8',
      'GET /api/users server/src/routes/users.ts:6',
      'POST /api/users server/src/routes/users.ts:10',
      'GET /api/users/{id} server/src/routes/users.ts:14',
      'PUT /api/users/{id}/avatar server/src/routes/users.ts:18',
    ]);
    // Template, concatenated and absolute URLs; the query string goes; the static logo is not an API call.
    expect(list(report.frontend)).toEqual([
      'GET /api/users web/src/api.ts:9',
      'GET /api/users/{id} web/src/api.ts:14',
      'POST /api/users web/src/api.ts:18',
      'DELETE /api/users/{id} web/src/api.ts:24',
      'GET /api/orders web/src/api.ts:29',
      'GET /api/users/me web/src/api.ts:33',
    ]);
    expect(findings(report)).toEqual([
      ['not-implemented', 'GET', '/api/users/{id}/posts', 'openapi.yaml:18', 'error'],
      ['not-in-contract', 'GET', '/health', 'server/src/app.ts:8', 'warning'],
      ['method-mismatch', 'PATCH', '/api/users/{id}/avatar', 'server/src/routes/users.ts:18', 'error'],
      ['method-mismatch', 'DELETE', '/api/users/{id}', 'web/src/api.ts:24', 'error'],
      ['not-served', 'GET', '/api/orders', 'web/src/api.ts:29', 'error'],
    ]);
    expect(report.isPassed).toBe(false);
  });

  it('Fastify + axios, with the integration registry as the contract', async () => {
    const projectDir = fixture('fastify-axios');
    const report = await new ContractVerifier({ registry: createIntegrationRegistry({ projectDir }) }).verify({ projectDir });
    expect(report.contractSource).toBe('integration-registry');
    expect(report.contract.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual(['DELETE /api/todos/{id}', 'GET /api/todos', 'GET /api/todos/{id}', 'POST /api/todos']);
    // register(plugin, { prefix }) across files; route({ method: [...], url }).
    expect(list(report.backend)).toEqual([
      'GET /health server/index.ts:8',
      'GET /api/todos server/todos.ts:4',
      'POST /api/todos server/todos.ts:6',
      'PATCH /api/todos/{id} server/todos.ts:8',
      'PUT /api/todos/{id} server/todos.ts:8',
      'DELETE /api/todos/{id} server/todos.ts:14',
      'GET /api/todos/archived/count server/todos.ts:16',
    ]);
    // Calls on an axios instance imported from another file get its baseURL; Map#get is no call.
    expect(list(report.frontend)).toEqual([
      'GET /api/todos client/todos.ts:10',
      'POST /api/todos client/todos.ts:12',
      'DELETE /api/todos/{id} client/todos.ts:14',
      'PATCH /api/todos/{id} client/todos.ts:16',
      'PUT /api/todos/{id}/done client/todos.ts:19',
      'GET /api/todos/{status}/count client/todos.ts:22',
      'GET /api/stats client/todos.ts:25',
    ]);
    expect(findings(report)).toEqual([
      ['not-served', 'PUT', '/api/todos/{id}/done', 'client/todos.ts:19', 'error'],
      ['param-mismatch', 'GET', '/api/todos/{status}/count', 'client/todos.ts:22', 'error'],
      ['not-served', 'GET', '/api/stats', 'client/todos.ts:25', 'error'],
      ['not-in-contract', 'GET', '/health', 'server/index.ts:8', 'warning'],
      ['method-mismatch', 'GET', '/api/todos/{id}', 'server/todos.ts:8', 'error'],
      ['not-in-contract', 'GET', '/api/todos/archived/count', 'server/todos.ts:16', 'warning'],
    ]);
  });

  it('NestJS + axios, with a JSON contract in docs/ and a server base path', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('nestjs-axios') });
    expect(report.contractSource).toBe('docs/openapi.json');
    expect(list(report.backend)).toEqual([
      'GET /api/projects api/src/projects/projects.controller.ts:5',
      'PUT /api/projects/{projectId} api/src/projects/projects.controller.ts:10',
      'GET /api/users api/src/users/users.controller.ts:5',
      'GET /api/users/{id} api/src/users/users.controller.ts:10',
      'POST /api/users api/src/users/users.controller.ts:15',
      'DELETE /api/users/{id} api/src/users/users.controller.ts:20',
    ]);
    expect(list(report.frontend)).toEqual([
      'GET /api/users web/src/services.ts:4',
      'GET /api/users/{id} web/src/services.ts:6',
      'POST /api/users web/src/services.ts:8',
      'PATCH /api/projects/{id} web/src/services.ts:11',
      'GET /api/teams web/src/services.ts:14',
      'GET /api/me web/src/services.ts:17',
    ]);
    // Parameter names differ between contract and code ({id} vs {projectId}): not a mismatch.
    // The call to /api/teams is covered by the contract's not-implemented finding.
    expect(findings(report)).toEqual([
      ['not-implemented', 'GET', '/api/teams', 'docs/openapi.json:10', 'error'],
      ['method-mismatch', 'PATCH', '/api/projects/{id}', 'web/src/services.ts:11', 'error'],
      ['not-served', 'GET', '/api/me', 'web/src/services.ts:17', 'error'],
    ]);
  });

  it('Next.js route handlers + fetch, without a contract', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('nextjs-fetch') });
    expect(report.contractSource).toBeUndefined();
    expect(list(report.backend)).toEqual([
      'GET /api/cart app/(shop)/api/cart/route.ts:3',
      'PUT /api/cart app/(shop)/api/cart/route.ts:3',
      'GET /api/todos/{id} app/api/todos/[id]/route.ts:5',
      'DELETE /api/todos/{id} app/api/todos/[id]/route.ts:7',
      'GET /api/todos app/api/todos/route.ts:3',
      'POST /api/todos app/api/todos/route.ts:9',
      '* /api/files/{path*} pages/api/files/[...path].ts:3',
      'POST /api/legacy pages/api/legacy.ts:3',
    ]);
    // The route handler's own fetch to an upstream service is server code, not the frontend's.
    expect(list(report.frontend)).toEqual([
      'GET /api/todos app/todos/page.tsx:11',
      'PATCH /api/todos/{id} app/todos/page.tsx:18',
      'DELETE /api/todos/{id} app/todos/page.tsx:20',
      'PUT /api/cart app/todos/page.tsx:22',
      'GET /api/legacy app/todos/page.tsx:25',
      'GET /api/todo app/todos/page.tsx:28',
      'GET /api/files/docs/{name} app/todos/page.tsx:30',
    ]);
    expect(findings(report)).toEqual([
      ['method-mismatch', 'PATCH', '/api/todos/{id}', 'app/todos/page.tsx:18', 'error'],
      ['method-mismatch', 'GET', '/api/legacy', 'app/todos/page.tsx:25', 'error'],
      ['not-served', 'GET', '/api/todo', 'app/todos/page.tsx:28', 'error'],
    ]);
  });

  it('FastAPI + fetch, with APIRouter prefixes, include_router across modules and a contract server URL', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('fastapi-fetch') });
    expect(report.contractSource).toBe('api/openapi.yaml');
    expect(list(report.backend)).toEqual([
      'GET /health backend/app/main.py:10',
      'GET /api/items backend/app/routers/items.py:9',
      'POST /api/items backend/app/routers/items.py:14',
      'GET /api/items/{item_id} backend/app/routers/items.py:19',
      'PATCH /api/items/{item_id} backend/app/routers/items.py:24',
      'PUT /api/items/{item_id} backend/app/routers/items.py:24',
    ]);
    expect(list(report.frontend)).toEqual(['GET /api/items frontend/src/items.js:4', 'PUT /api/items/{id} frontend/src/items.js:9', 'DELETE /api/items/{id} frontend/src/items.js:14', 'GET /api/item/first frontend/src/items.js:19']);
    expect(findings(report)).toEqual([
      ['not-implemented', 'GET', '/api/items/{item_id}/tags', 'api/openapi.yaml:13', 'error'],
      ['not-in-contract', 'GET', '/health', 'backend/app/main.py:10', 'warning'],
      ['not-in-contract', 'PATCH', '/api/items/{item_id}', 'backend/app/routers/items.py:24', 'warning'],
      ['method-mismatch', 'DELETE', '/api/items/{id}', 'frontend/src/items.js:14', 'error'],
      ['not-served', 'GET', '/api/item/first', 'frontend/src/items.js:19', 'error'],
    ]);
  });

  it('Flask blueprints + fetch', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('flask-fetch') });
    expect(list(report.backend)).toEqual([
      'GET /status server/app.py:9',
      'GET /api/notes server/notes/views.py:6',
      'POST /api/notes server/notes/views.py:6',
      'DELETE /api/notes/{note_id} server/notes/views.py:11',
      'GET /api/notes/{note_id} server/notes/views.py:11',
      'GET /api/notes/{note_id}/history server/notes/views.py:16',
    ]);
    expect(findings(report)).toEqual([['method-mismatch', 'PUT', '/api/notes/{id}', 'web/notes.ts:5', 'error']]);
  });

  it('Koa router + ky', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('koa-ky') });
    expect(list(report.backend)).toEqual(['GET /api/books server/books.js:5', 'GET /api/books/{id} server/books.js:9', 'POST /api/books server/books.js:13']);
    expect(list(report.frontend)).toEqual(['GET /api/books web/books.ts:5', 'GET /api/books/{id} web/books.ts:6', 'POST /api/books web/books.ts:7', 'GET /api/authors web/books.ts:9']);
    expect(findings(report)).toEqual([['not-served', 'GET', '/api/authors', 'web/books.ts:9', 'error']]);
  });

  it('Hono + fetch', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('hono-fetch') });
    // Sorted by file, line, then method.
    expect(list(report.backend)).toEqual(['GET /api/books src/books.ts:5', 'PATCH /api/books/{id} src/books.ts:6', 'PUT /api/books/{id} src/books.ts:6', 'GET /api/ping src/index.ts:7']);
    expect(findings(report)).toEqual([['method-mismatch', 'POST', '/api/books', 'client/books.ts:4', 'error']]);
  });
});

describe('ContractVerifier options and failures', () => {
  it('passes a project whose sides agree, and prints the report block', async () => {
    const projectDir = await temporaryCopy('hono-fetch');
    await writeFile(join(projectDir, 'client/books.ts'), "export const list = () => fetch('/api/books');\n");
    const report = await new ContractVerifier().verify({ projectDir });
    expect(report.findings).toEqual([]);
    expect(report.isPassed).toBe(true);
    const text = formatContractReport(report);
    expect(text).toContain('API CONTRACT VERIFICATION');
    expect(text).toContain('No mismatches.');
    expect(text).toContain('Result: PASSED (0 errors, 0 warnings)');
    expect(text).not.toMatch(/\u001b\[/);
  });

  it('formats findings with severity, kind, endpoint and location', async () => {
    const report = await new ContractVerifier().verify({ projectDir: fixture('express-fetch') });
    const text = formatContractReport(report);
    expect(text.split('\n').slice(0, 5)).toEqual(['API CONTRACT VERIFICATION', '=========================', 'Contract: openapi.yaml (5 endpoints)', 'Backend:  5 routes (express)', 'Frontend: 6 calls (fetch)']);
    expect(text).toContain('ERROR  not-served       GET /api/orders               web/src/api.ts:29');
    expect(text).toContain('WARN   not-in-contract  GET /health                   server/src/app.ts:8');
    expect(text).toContain('Result: FAILED (4 errors, 1 warning)');
  });

  it('reports an unreadable contract as an error finding, and a missing configured one as CONFIG_INVALID', async () => {
    const projectDir = await temporaryCopy('express-fetch');
    await writeFile(join(projectDir, 'openapi.yaml'), 'openapi: 3.0.0\npaths:\n  /x:\n    get: [unclosed\n');
    const report = await new ContractVerifier().verify({ projectDir });
    expect(report.findings[0]).toMatchObject({ kind: 'contract-invalid', file: 'openapi.yaml', severity: 'error' });
    expect(report.isPassed).toBe(false);
    await writeFile(join(projectDir, 'openapi.yaml'), 'title: not openapi\n');
    const second = await new ContractVerifier().verify({ projectDir });
    expect(second.findings[0]).toMatchObject({ kind: 'contract-invalid', message: expect.stringContaining('neither an "openapi" nor a "swagger"') });
    await expect(new ContractVerifier({ contractPath: 'missing/openapi.yaml' }).verify({ projectDir })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(new ContractVerifier({ contractPath: '../openapi.yaml' }).verify({ projectDir })).rejects.toMatchObject({ code: 'PATH_OUTSIDE_PROJECT' });
    const absolute = await new ContractVerifier({ contractPath: join(projectDir, 'openapi.yaml') }).verify({ projectDir });
    expect(absolute.contractSource).toBe('openapi.yaml');
  });

  it('takes a configured contract path, include and exclude globs', async () => {
    const projectDir = await temporaryCopy('express-fetch');
    await cp(join(projectDir, 'openapi.yaml'), join(projectDir, 'contract.yml'));
    await rm(join(projectDir, 'openapi.yaml'));
    const report = await new ContractVerifier({ contractPath: 'contract.yml', exclude: ['web/**'] }).verify({ projectDir });
    expect(report.contractSource).toBe('contract.yml');
    expect(report.frontend).toEqual([]);
    expect(report.backend).toHaveLength(5);
    const onlyWeb = await new ContractVerifier({ include: ['web/**'] }).verify({ projectDir });
    expect(onlyWeb.contractSource).toBeUndefined();
    expect(onlyWeb.backend).toEqual([]);
    expect(onlyWeb.findings.map((finding) => finding.kind)).toEqual(['not-served', 'not-served', 'not-served', 'not-served', 'not-served', 'not-served']);
  });

  it('uses a custom extractor for another framework, and notes an extractor that throws', async () => {
    const projectDir = await temporaryCopy('express-fetch');
    await writeFile(join(projectDir, 'server/src/routes.txt'), 'GET /api/users/{id}/posts\nDELETE /api/users/{id}\n');
    const report = await new ContractVerifier({
      extractors: [
        {
          name: 'routes-file',
          side: 'backend',
          matches: (file) => file.endsWith('routes.txt'),
          extract: (_file, text) =>
            text
              .trim()
              .split('\n')
              .map((line, index) => {
                const [method = '', path = ''] = line.split(' ');
                return { method, path, line: index + 1 };
              }),
        },
        { name: 'broken', side: 'frontend', matches: (file) => file.endsWith('api.ts'), extract: () => Promise.reject(new Error('boom')) },
        { name: 'sloppy', side: 'frontend', matches: (file) => file.endsWith('app.ts'), extract: () => [{ method: 'get', path: '/api/users', line: 0 }] },
      ],
    }).verify({ projectDir });
    expect(list(report.backend)).toEqual(['GET /api/users/{id}/posts server/src/routes.txt:1', 'DELETE /api/users/{id} server/src/routes.txt:2']);
    expect(report.notes).toEqual(['The sloppy extractor gave an invalid answer for server/src/app.ts: routes.0.line: Too small: expected number to be >0', 'The broken extractor failed on web/src/api.ts: boom']);
    expect(formatContractReport(report)).toContain('Note: The broken extractor failed on web/src/api.ts: boom');
    // The custom backend replaces Express here (only the given extractors run).
    expect(findings(report)).toEqual([
      ['not-implemented', 'GET', '/api/users', 'openapi.yaml:7', 'error'],
      ['not-implemented', 'POST', '/api/users', 'openapi.yaml:9', 'error'],
      ['not-implemented', 'PATCH', '/api/users/{id}/avatar', 'openapi.yaml:15', 'error'],
      ['method-mismatch', 'GET', '/api/users/{userId}', 'server/src/routes.txt:2', 'error'],
    ]);
  });

  it('rejects with ABORTED when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(new ContractVerifier().verify({ projectDir: fixture('express-fetch'), abortSignal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('ContractReportSchema', () => {
  it('accepts every fixture report and rejects a malformed one', async () => {
    for (const name of ['express-fetch', 'nestjs-axios', 'nextjs-fetch', 'fastapi-fetch']) {
      const report = await new ContractVerifier().verify({ projectDir: fixture(name) });
      expect(ContractReportSchema.parse(report)).toEqual(report);
    }
    expect(ContractReportSchema.safeParse({ contract: [], backend: [], frontend: [], findings: [{ kind: 'oops' }], isPassed: true }).success).toBe(false);
  });
});
