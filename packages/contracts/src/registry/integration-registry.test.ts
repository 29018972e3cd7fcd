import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractVerifier, createIntegrationRegistry } from '../index';
import { PlanSchema, type ContractReport } from '@qoder-orch/spec';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});
const temporaryDirectory = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-registry-'));
  directories.push(directory);
  return directory;
};
const fixedNow = () => new Date('2026-11-25T12:00:00.000Z');

const plan = PlanSchema.parse({
  objective: 'Todo app',
  tasks: [
    { id: 'model', title: 'Todo model', agent: 'backend' },
    { id: 'api', title: 'Todo API', agent: 'backend', dependsOn: ['model'] },
    { id: 'ui', title: 'Todo page', agent: 'frontend', dependsOn: ['api'] },
    { id: 'docs', title: 'Docs', agent: 'writer' },
  ],
});
const task = (id: string) => plan.tasks.find((candidate) => candidate.id === id)!;

describe('createIntegrationRegistry', () => {
  it('records interfaces as agents report them, persists them atomically and reads them back', async () => {
    const projectDir = await temporaryDirectory();
    const registry = createIntegrationRegistry({ projectDir, now: fixedNow });
    const recorded = await registry.record('model', [
      { name: 'Todo', kind: 'model', file: 'src/models/todo.ts', fields: ['id: number', 'title: string'] },
      { name: 'GET /api/todos', file: 'src/routes/todos.ts' },
      { name: 'TodoCreated', kind: 'event', signature: '{ id: number }' },
      { name: 'TodoInput', kind: 'type', fields: ['title: string'] },
      { name: 'formatTodo', kind: 'function', signature: '(todo: Todo) => string' },
      { name: 'Tag', kind: null, file: null, fields: [{ name: 'label', type: 'string' }, 'color: string'] },
      { name: '' },
      { kind: 'model' },
      'not an object',
    ]);
    expect(recorded.map((entry) => [entry.name, entry.kind])).toEqual([
      ['Todo', 'model'],
      ['GET /api/todos', 'endpoint'],
      ['TodoCreated', 'event'],
      ['TodoInput', 'model'],
      ['formatTodo', 'module'],
      ['Tag', 'model'],
    ]);
    expect(recorded[5]).toMatchObject({ fields: ['label: string', 'color: string'] });
    expect(recorded[5]).not.toHaveProperty('file');
    expect(registry.path).toBe(join(projectDir, 'specs/integration_registry.json'));
    const file = JSON.parse(await readFile(registry.path, 'utf8'));
    expect(file.version).toBe(1);
    expect(file.entries[0]).toEqual({ name: 'Todo', kind: 'model', taskId: 'model', file: 'src/models/todo.ts', fields: ['id: number', 'title: string'], recordedAt: '2026-11-25T12:00:00.000Z' });
    expect((await readdir(join(projectDir, 'specs'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const reopened = createIntegrationRegistry({ projectDir });
    expect((await reopened.entries()).map((entry) => entry.name)).toEqual(['Todo', 'GET /api/todos', 'TodoCreated', 'TodoInput', 'formatTodo', 'Tag']);
  });

  it("replaces a task's earlier entries, and lets a later task take over an interface", async () => {
    const projectDir = await temporaryDirectory();
    const registry = createIntegrationRegistry({ projectDir, path: 'custom/registry.json' });
    await registry.record('model', [
      { name: 'Todo', kind: 'model', fields: ['id'] },
      { name: 'Old', kind: 'model' },
    ]);
    await registry.record('model', [{ name: 'Todo', kind: 'model', fields: ['id', 'title'] }]);
    await registry.record('api', [{ name: 'Todo', kind: 'model', fields: ['id', 'title', 'done'] }, { name: 'POST /api/todos' }]);
    expect((await registry.entries()).map((entry) => [entry.taskId, entry.name, entry.fields ?? []])).toEqual([
      ['api', 'Todo', ['id', 'title', 'done']],
      ['api', 'POST /api/todos', []],
    ]);
    expect(JSON.parse(await readFile(join(projectDir, 'custom/registry.json'), 'utf8')).entries).toHaveLength(2);
  });

  it('loses nothing when parallel tasks record at once', async () => {
    const projectDir = await temporaryDirectory();
    const registry = createIntegrationRegistry({ projectDir });
    await Promise.all(Array.from({ length: 12 }, (_, index) => registry.record(`task-${index}`, [{ name: `Model${index}`, kind: 'model' }])));
    const file = JSON.parse(await readFile(registry.path, 'utf8'));
    expect(file.entries.map((entry: { name: string }) => entry.name).sort()).toEqual(Array.from({ length: 12 }, (_, index) => `Model${index}`).sort());
  });

  it("gives a task the interfaces of its transitive dependencies, earlier work and the contract, not its siblings'", async () => {
    const projectDir = await temporaryDirectory();
    const registry = createIntegrationRegistry({ projectDir });
    await registry.record('model', [{ name: 'Todo', kind: 'model', file: 'src/todo.ts', fields: ['id: number', 'title: string'] }]);
    await registry.record('api', [{ name: 'listTodos', kind: 'endpoint', signature: 'GET /api/todos → Todo[]', file: 'src/routes.ts' }]);
    await registry.record('docs', [{ name: 'README section', kind: 'module' }]);
    await registry.record('earlier-task', [{ name: 'Session', kind: 'model', fields: ['token: string'] }]);
    const report: ContractReport = {
      contractSource: 'openapi.yaml',
      contract: [{ method: 'GET', path: '/api/todos', file: 'openapi.yaml', line: 7, origin: 'openapi' }],
      backend: [{ method: 'GET', path: '/api/todos', file: 'src/routes.ts', line: 3, origin: 'express' }],
      frontend: [],
      findings: [],
      isPassed: true,
    };
    await registry.recordContract(report);
    const text = await registry.forTask(task('ui'), plan);
    expect(text).toBe(
      [
        'Defined by the tasks this one depends on:',
        '- model Todo (task model, src/todo.ts)',
        '  fields: id: number; title: string',
        '- endpoint listTodos (task api, src/routes.ts)',
        '  signature: GET /api/todos → Todo[]',
        '',
        'Defined by earlier work:',
        '- model Session (task earlier-task)',
        '  fields: token: string',
        '',
        'API contract (openapi.yaml):',
        '- GET /api/todos (openapi.yaml:7)',
        '',
        'Routes the backend serves now:',
        '- GET /api/todos (src/routes.ts:3)',
      ].join('\n'),
    );
    expect(await registry.forTask(task('model'), plan)).not.toContain('listTodos');
    expect(await createIntegrationRegistry({ projectDir: await temporaryDirectory() }).forTask(task('ui'), plan)).toBe('');
  });

  it('refuses a broken file clearly and does not overwrite it', async () => {
    const projectDir = await temporaryDirectory();
    await mkdir(join(projectDir, 'specs'));
    const path = join(projectDir, 'specs/integration_registry.json');
    await writeFile(path, '{"entries": [');
    const registry = createIntegrationRegistry({ projectDir });
    await expect(registry.record('a', [{ name: 'X' }])).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('specs/integration_registry.json is not valid JSON'),
      fix: expect.stringContaining('Repair specs/integration_registry.json'),
    });
    expect(await readFile(path, 'utf8')).toBe('{"entries": [');
    await writeFile(path, JSON.stringify({ entries: [{ name: 'X', kind: 'spaceship', taskId: 'a', recordedAt: 'now' }] }));
    await expect(createIntegrationRegistry({ projectDir }).entries()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('entries.0.kind') });
    expect(() => createIntegrationRegistry({ projectDir, path: '../outside.json' })).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_PROJECT' }));
  });

  it('serves as the contract when the project has no OpenAPI document', async () => {
    const projectDir = await temporaryDirectory();
    await mkdir(join(projectDir, 'server'));
    await writeFile(join(projectDir, 'server/app.js'), "const express = require('express');\nconst app = express();\napp.get('/api/todos', (q, s) => s.json([]));\n");
    const registry = createIntegrationRegistry({ projectDir });
    await registry.record('api', [
      { name: 'GET /api/todos', kind: 'endpoint' },
      { name: 'createTodo', kind: 'endpoint', signature: 'POST /api/todos', file: 'server/app.js' },
    ]);
    const report = await new ContractVerifier({ registry }).verify({ projectDir });
    expect(report.contractSource).toBe('integration-registry');
    // The path is served, but only with GET.
    expect(report.findings.map((finding) => [finding.kind, finding.method, finding.path, finding.file, finding.line])).toEqual([['method-mismatch', 'POST', '/api/todos', 'server/app.js', 3]]);
    await registry.record('api', [
      { name: 'GET /api/todos', kind: 'endpoint' },
      { name: 'GET /api/todos/{id}', kind: 'endpoint', file: 'server/app.js' },
    ]);
    const second = await new ContractVerifier({ registry }).verify({ projectDir });
    expect(second.findings.map((finding) => [finding.kind, finding.method, finding.path, finding.file, finding.line])).toEqual([['not-implemented', 'GET', '/api/todos/{id}', 'server/app.js', undefined]]);
    // An agent may leave out a mount prefix it did not know: `GET /todos` stands for `/api/todos`.
    await registry.record('api', [{ name: 'GET /todos', kind: 'endpoint' }]);
    const third = await new ContractVerifier({ registry }).verify({ projectDir });
    expect(third.contract.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual(['GET /todos']);
    expect(third.findings).toEqual([]);
  });
});
