import type { PlanInput } from '@qoder-orch/core';

/**
 * The scripted answers of the offline demo for one objective on examples/todo-app: the plan,
 * each task's tool uses (real edits the real Claude Code CLI performs) and its final report.
 * Nothing here is decided by a model: it is a script, and the demo says so.
 */
export const DEMO_OBJECTIVE = 'Add due dates to todos: store and validate them in the API, show and edit them in the UI, list overdue todos, and test it all';

const TEST = ['node', '--test', 'test/'];

export const demoPlan: PlanInput = {
  objective: DEMO_OBJECTIVE,
  summary: 'Contract first; then the backend and the frontend in parallel; the overdue filter on top of the backend; tests last.',
  tasks: [
    {
      id: 'api-contract',
      title: 'Add dueDate and the overdue filter to the API contract',
      description: 'Extend openapi.json: Todo gets an optional dueDate (YYYY-MM-DD or null), NewTodo and TodoPatch accept it, GET /api/todos takes ?overdue=true.',
      agent: 'architect',
      files: ['openapi.json'],
      acceptance: ['openapi.json documents dueDate on Todo, NewTodo and TodoPatch', 'GET /api/todos documents the overdue query parameter'],
      // The project's own script: the command policy runs it (an inline `node -e` it would refuse).
      verify: [['npm', 'run', '--silent', 'check:contract']],
      estimateMinutes: 5,
    },
    {
      id: 'backend-due-dates',
      title: 'Store and validate due dates',
      description: 'The store keeps an optional dueDate per todo (null by default), validates YYYY-MM-DD real calendar dates, and lets PATCH set or clear it.',
      agent: 'backend-dev',
      dependsOn: ['api-contract'],
      files: ['src/todo-store.js', 'test/todo-store.test.js'],
      acceptance: ['POST and PATCH accept a valid dueDate', 'an invalid dueDate is rejected with 400'],
      verify: [TEST],
      estimateMinutes: 10,
    },
    {
      id: 'frontend-due-dates',
      title: 'Show and enter due dates in the UI',
      description: 'A date input in the form sends dueDate; each todo shows its due date.',
      agent: 'frontend-dev',
      dependsOn: ['api-contract'],
      files: ['public/index.html', 'public/app.js', 'public/todo-view.js'],
      acceptance: ['the form sends dueDate', 'the list shows each due date'],
      verify: [['node', '--check', 'public/app.js'], TEST],
      estimateMinutes: 10,
    },
    {
      id: 'overdue-filter',
      title: 'GET /api/todos?overdue=true',
      description: 'Only open todos whose dueDate is before today.',
      agent: 'backend-dev',
      dependsOn: ['backend-due-dates'],
      files: ['app/api/todos/route.js'],
      acceptance: ['GET /api/todos?overdue=true lists only open todos past their due date'],
      verify: [TEST],
      estimateMinutes: 8,
    },
    {
      id: 'qa-due-dates',
      title: 'Tests for due dates and the overdue filter',
      description: 'Store, API and view tests for due dates, invalid dates and the overdue filter.',
      agent: 'qa-agent',
      dependsOn: ['backend-due-dates', 'frontend-due-dates', 'overdue-filter'],
      files: ['test/due-dates.test.js'],
      acceptance: ['tests cover valid, cleared and invalid due dates and the overdue filter'],
      verify: [TEST],
      estimateMinutes: 8,
    },
  ],
};

/** One scripted tool use; `file` is relative to the task's working directory. */
export type ScriptedTool = { name: 'Read'; file: string } | { name: 'Write'; file: string; content: string } | { name: 'Edit'; file: string; oldString: string; newString: string };

/** One assistant turn: tool uses (on different files), or the final message. */
export type ScriptedTurn = { say?: string; tools: ScriptedTool[] } | { final: string; report: Record<string, unknown> };

const NEW_OPENAPI = `{
  "openapi": "3.0.3",
  "info": { "title": "Todo API", "version": "1.1.0" },
  "paths": {
    "/api/todos": {
      "get": {
        "summary": "List todos",
        "parameters": [{ "name": "overdue", "in": "query", "required": false, "description": "true: only open todos whose dueDate is before today", "schema": { "type": "boolean" } }],
        "responses": { "200": { "description": "All todos", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Todo" } } } } } }
      },
      "post": {
        "summary": "Create a todo",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewTodo" } } } },
        "responses": { "201": { "description": "Created", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Todo" } } } }, "400": { "description": "Invalid input" } }
      }
    },
    "/api/todos/{id}": {
      "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
      "patch": {
        "summary": "Update a todo",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TodoPatch" } } } },
        "responses": { "200": { "description": "Updated", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Todo" } } } }, "400": { "description": "Invalid input" }, "404": { "description": "No such todo" } }
      },
      "delete": {
        "summary": "Delete a todo",
        "responses": { "204": { "description": "Deleted" }, "404": { "description": "No such todo" } }
      }
    }
  },
  "components": {
    "schemas": {
      "DueDate": { "type": "string", "format": "date", "nullable": true, "description": "A calendar date, YYYY-MM-DD; null when the todo has none" },
      "Todo": {
        "type": "object",
        "required": ["id", "title", "done", "dueDate"],
        "properties": {
          "id": { "type": "string" },
          "title": { "type": "string" },
          "done": { "type": "boolean" },
          "dueDate": { "$ref": "#/components/schemas/DueDate" }
        }
      },
      "NewTodo": {
        "type": "object",
        "required": ["title"],
        "properties": {
          "title": { "type": "string" },
          "dueDate": { "$ref": "#/components/schemas/DueDate" }
        }
      },
      "TodoPatch": {
        "type": "object",
        "properties": {
          "title": { "type": "string" },
          "done": { "type": "boolean" },
          "dueDate": { "$ref": "#/components/schemas/DueDate" }
        }
      }
    }
  }
}
`;

const VALIDATE_DUE_DATE = `function validateDueDate(dueDate) {
  if (dueDate === undefined || dueDate === null || dueDate === '') return null;
  const isCalendarDate =
    typeof dueDate === 'string' && /^\\d{4}-\\d{2}-\\d{2}$/.test(dueDate) && !Number.isNaN(Date.parse(\`\${dueDate}T00:00:00Z\`)) && new Date(\`\${dueDate}T00:00:00Z\`).toISOString().slice(0, 10) === dueDate;
  if (!isCalendarDate) throw new ValidationError('dueDate must be a calendar date in the form YYYY-MM-DD');
  return dueDate;
}

/** An in-memory todo list. */`;

const DUE_DATES_TEST = `import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { renderTodo } from '../public/todo-view.js';
import { createApp } from '../src/app.js';
import { createTodoStore, ValidationError } from '../src/todo-store.js';

test('a todo keeps its due date, which defaults to null and can be cleared', () => {
  const store = createTodoStore();
  assert.equal(store.create({ title: 'no date' }).dueDate, null);
  const dated = store.create({ title: 'dated', dueDate: '2030-01-31' });
  assert.equal(dated.dueDate, '2030-01-31');
  assert.equal(store.update(dated.id, { dueDate: '2030-02-28' }).dueDate, '2030-02-28');
  assert.equal(store.update(dated.id, { dueDate: null }).dueDate, null);
});

test('invalid due dates are rejected', () => {
  const store = createTodoStore();
  for (const dueDate of ['2030-02-30', '31/01/2030', '2030-1-5', 42, true]) {
    assert.throws(() => store.create({ title: 'x', dueDate }), ValidationError, String(dueDate));
  }
});

let server;
let base;
before(async () => {
  server = createServer(createApp(createTodoStore()));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = \`http://127.0.0.1:\${server.address().port}\`;
});
after(() => new Promise((resolve) => server.close(resolve)));

const post = (body) => fetch(\`\${base}/api/todos\`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('the API stores due dates, rejects bad ones and lists overdue todos', async () => {
  assert.equal((await post({ title: 'bad', dueDate: 'tomorrow' })).status, 400);
  const past = await (await post({ title: 'late', dueDate: '2000-01-01' })).json();
  await post({ title: 'future', dueDate: '2999-12-31' });
  await post({ title: 'undated' });
  const done = await (await post({ title: 'late but done', dueDate: '2000-01-02' })).json();
  await fetch(\`\${base}/api/todos/\${done.id}\`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ done: true }) });
  const overdue = await (await fetch(\`\${base}/api/todos?overdue=true\`)).json();
  assert.deepEqual(overdue.map((todo) => todo.id), [past.id]);
  const all = await (await fetch(\`\${base}/api/todos\`)).json();
  assert.equal(all.length, 4);
});

test('the list shows the due date', () => {
  assert.match(renderTodo({ id: '1', title: 't', done: false, dueDate: '2030-01-31' }), /<time datetime="2030-01-31">due 2030-01-31<\\/time>/);
  assert.doesNotMatch(renderTodo({ id: '2', title: 't', done: false, dueDate: null }), /<time/);
});
`;

const report = (summary: string, filesChanged: string[], interfaces: unknown[] = []) => ({ status: 'success', summary, filesChanged, ...(interfaces.length ? { interfaces } : {}) });

/** Each task's turns, in order. */
export const demoTaskTurns: Record<string, ScriptedTurn[]> = {
  'api-contract': [
    { say: 'Reading the current contract.', tools: [{ name: 'Read', file: 'openapi.json' }] },
    { say: 'Adding a shared DueDate schema, dueDate on Todo/NewTodo/TodoPatch and the overdue query parameter.', tools: [{ name: 'Write', file: 'openapi.json', content: NEW_OPENAPI }] },
    {
      final: 'The contract now documents dueDate (YYYY-MM-DD or null) on Todo, NewTodo and TodoPatch, and GET /api/todos?overdue=true.',
      report: report(
        'Added dueDate and the overdue filter to openapi.json',
        ['openapi.json'],
        [
          { name: 'Todo', kind: 'model', file: 'openapi.json', fields: ['id: string', 'title: string', 'done: boolean', 'dueDate: string (YYYY-MM-DD) | null'] },
          { name: 'GET /api/todos?overdue=true', kind: 'endpoint', file: 'openapi.json' },
        ],
      ),
    },
  ],
  'backend-due-dates': [
    {
      say: 'Reading the store and its tests.',
      tools: [
        { name: 'Read', file: 'src/todo-store.js' },
        { name: 'Read', file: 'test/todo-store.test.js' },
      ],
    },
    {
      tools: [
        { name: 'Edit', file: 'src/todo-store.js', oldString: '/** An in-memory todo list. */', newString: VALIDATE_DUE_DATE },
        { name: 'Edit', file: 'test/todo-store.test.js', oldString: "assert.deepEqual(todo, { id: '1', title: 'Buy milk', done: false });", newString: "assert.deepEqual(todo, { id: '1', title: 'Buy milk', done: false, dueDate: null });" },
      ],
    },
    {
      tools: [
        {
          name: 'Edit',
          file: 'src/todo-store.js',
          oldString: 'const todo = { id: String(nextId++), title: validateTitle(input?.title), done: false };',
          newString: 'const todo = { id: String(nextId++), title: validateTitle(input?.title), done: false, dueDate: validateDueDate(input?.dueDate) };',
        },
        { name: 'Edit', file: 'test/todo-store.test.js', oldString: "{ id: '1', title: 'Buy milk', done: true });", newString: "{ id: '1', title: 'Buy milk', done: true, dueDate: null });" },
      ],
    },
    {
      tools: [
        {
          name: 'Edit',
          file: 'src/todo-store.js',
          oldString: '      if (patch?.done !== undefined) {',
          newString: '      if (patch?.dueDate !== undefined) todo.dueDate = validateDueDate(patch.dueDate);\n      if (patch?.done !== undefined) {',
        },
      ],
    },
    {
      final: 'Todos now carry dueDate (null by default); create and update validate real calendar dates and reject anything else with a ValidationError (HTTP 400).',
      report: report(
        'Stored and validated dueDate in the todo store',
        ['src/todo-store.js', 'test/todo-store.test.js'],
        [{ name: 'validateDueDate', kind: 'function', file: 'src/todo-store.js', fields: ['(dueDate: unknown) => string | null'] }],
      ),
    },
  ],
  'frontend-due-dates': [
    {
      say: 'Reading the page, the script and the view.',
      tools: [
        { name: 'Read', file: 'public/index.html' },
        { name: 'Read', file: 'public/app.js' },
        { name: 'Read', file: 'public/todo-view.js' },
      ],
    },
    {
      tools: [
        {
          name: 'Edit',
          file: 'public/index.html',
          oldString: '<input id="title" placeholder="What needs doing?" required>',
          newString: '<input id="title" placeholder="What needs doing?" required>\n    <input id="due-date" type="date" aria-label="Due date">',
        },
        {
          name: 'Edit',
          file: 'public/app.js',
          oldString: "  const title = document.querySelector('#title').value;\n  await fetch('/api/todos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });",
          newString:
            "  const title = document.querySelector('#title').value;\n  const dueDate = document.querySelector('#due-date').value || null;\n  await fetch('/api/todos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title, dueDate }) });",
        },
        {
          name: 'Edit',
          file: 'public/todo-view.js',
          oldString: '<span>${escapeHtml(todo.title)}</span></li>`;',
          newString: '<span>${escapeHtml(todo.title)}</span>${todo.dueDate ? ` <time datetime="${escapeHtml(todo.dueDate)}">due ${escapeHtml(todo.dueDate)}</time>` : \'\'}</li>`;',
        },
      ],
    },
    {
      final: 'The form has a date input whose value is sent as dueDate, and each todo shows "due YYYY-MM-DD" when it has one.',
      report: report('Due date input and display in the frontend', ['public/index.html', 'public/app.js', 'public/todo-view.js']),
    },
  ],
  'overdue-filter': [
    { say: 'Reading the route file of /api/todos.', tools: [{ name: 'Read', file: 'app/api/todos/route.js' }] },
    {
      tools: [
        {
          name: 'Edit',
          file: 'app/api/todos/route.js',
          oldString: 'export async function GET({ store }) {\n  return { status: 200, body: store.list() };\n}',
          newString: [
            'export async function GET({ store, url }) {',
            '  const todos = store.list();',
            "  if (url.searchParams.get('overdue') !== 'true') return { status: 200, body: todos };",
            '  const today = new Date().toISOString().slice(0, 10);',
            "  return { status: 200, body: todos.filter((todo) => !todo.done && typeof todo.dueDate === 'string' && todo.dueDate < today) };",
            '}',
          ].join('\n'),
        },
      ],
    },
    {
      final: 'GET /api/todos?overdue=true returns the open todos whose due date is before today (UTC); without the parameter nothing changes.',
      report: report('Overdue filter on GET /api/todos', ['app/api/todos/route.js']),
    },
  ],
  'qa-due-dates': [
    { say: 'Writing tests for due dates and the overdue filter.', tools: [{ name: 'Write', file: 'test/due-dates.test.js', content: DUE_DATES_TEST }] },
    {
      final: 'Added test/due-dates.test.js: store defaults and clearing, invalid dates, the API (400 on a bad date, overdue filter) and the view.',
      report: report('Tests for due dates and the overdue filter', ['test/due-dates.test.js']),
    },
  ],
};
