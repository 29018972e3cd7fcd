/**
 * Records real Claude Code outputs against the fake Anthropic server.
 * Run from the repository root: `pnpm exec tsx packages/providers/src/__fixtures__/record-fixtures.ts`
 */
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeAnthropicServer, reply, sequence, type FakeAnthropicHandler } from '../test/index';

const here = fileURLToPath(new URL('.', import.meta.url));
const claude = fileURLToPath(new URL('../../../../node_modules/.bin/claude', import.meta.url));

interface Case {
  name: string;
  handler: (repo: string) => FakeAnthropicHandler;
  args: string[];
  extraEnv?: Record<string, string>;
}

const cases: Case[] = [
  {
    name: 'claude-stream-json-success',
    handler: (repo) => sequence([reply.write(join(repo, 'hello.txt'), 'hello\n', 'Writing the file.'), reply.text('Wrote hello.txt.')]),
    args: ['--output-format', 'stream-json', '--verbose', '--allowedTools', 'Write', '--permission-mode', 'acceptEdits'],
  },
  {
    name: 'claude-stream-json-permission-denied',
    handler: (repo) => sequence([reply.write(join(repo, 'hello.txt'), 'hello\n'), reply.text('I could not write the file.')]),
    args: ['--output-format', 'stream-json', '--verbose', '--permission-mode', 'dontAsk'],
  },
  {
    name: 'claude-stream-json-max-turns',
    handler: () => sequence([reply.bash('echo one'), reply.bash('echo two'), reply.bash('echo three')]),
    args: ['--output-format', 'stream-json', '--verbose', '--allowedTools', 'Bash', '--max-turns', '1'],
  },
  {
    name: 'claude-stream-json-rate-limited-then-success',
    handler: () => {
      let calls = 0;
      return () => (calls++ < 1 ? reply.rateLimited(1) : reply.text('Fine now.'));
    },
    args: ['--output-format', 'stream-json', '--verbose'],
    extraEnv: { CLAUDE_CODE_MAX_RETRIES: '2' },
  },
  {
    name: 'claude-stream-json-overloaded',
    handler: () => () => reply.overloaded(),
    args: ['--output-format', 'stream-json', '--verbose'],
    extraEnv: { CLAUDE_CODE_MAX_RETRIES: '1' },
  },
  {
    name: 'claude-stream-json-unauthorized',
    handler: () => () => reply.unauthorized(),
    args: ['--output-format', 'stream-json', '--verbose'],
    extraEnv: { CLAUDE_CODE_MAX_RETRIES: '0' },
  },
  {
    name: 'claude-json-overloaded',
    handler: () => () => reply.overloaded(),
    args: ['--output-format', 'json'],
    extraEnv: { CLAUDE_CODE_MAX_RETRIES: '0' },
  },
  {
    name: 'claude-json-rate-limited',
    handler: () => () => reply.error(429, 'Rate limited. Please retry after 30 seconds.', 30),
    args: ['--output-format', 'json'],
    extraEnv: { CLAUDE_CODE_MAX_RETRIES: '0' },
  },
  {
    name: 'claude-json-unauthorized',
    handler: () => () => reply.unauthorized(),
    args: ['--output-format', 'json'],
    extraEnv: { CLAUDE_CODE_MAX_RETRIES: '0' },
  },
  {
    name: 'claude-json-server-error',
    handler: () => () => reply.serverError(),
    args: ['--output-format', 'json'],
    extraEnv: { CLAUDE_CODE_MAX_RETRIES: '0' },
  },
  {
    name: 'claude-json-success',
    handler: () => sequence([reply.text('Plain answer.')]),
    args: ['--output-format', 'json', '--tools', '', '--max-turns', '3'],
  },
  {
    name: 'claude-json-structured-output',
    handler: () => (request) => (request.hasStructuredOutput && request.toolResults.length === 0 ? reply.json({ ok: true, items: ['a'] }) : reply.text('Done.')),
    args: ['--output-format', 'json', '--tools', '', '--max-turns', '3', '--json-schema', JSON.stringify({ type: 'object', properties: { ok: { type: 'boolean' }, items: { type: 'array', items: { type: 'string' } } }, required: ['ok'] })],
  },
  {
    name: 'claude-json-max-turns',
    handler: () => sequence([reply.bash('echo one'), reply.bash('echo two')]),
    args: ['--output-format', 'json', '--allowedTools', 'Bash', '--max-turns', '1'],
  },
];

const only = process.argv[2];
for (const testCase of cases) {
  if (only && testCase.name !== only) continue;
  const repo = mkdtempSync(join(tmpdir(), 'record-repo-'));
  const config = mkdtempSync(join(tmpdir(), 'record-config-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const server = await createFakeAnthropicServer({ handler: testCase.handler(repo) });
  // Asynchronous on purpose: a synchronous spawn would block this process's event loop, and
  // with it the in-process fake server, so the CLI could never reach it (requests: 0).
  const result = await execa(claude, ['-p', 'Do the recorded task.', ...testCase.args], {
    cwd: repo,
    env: { PATH: process.env['PATH'] ?? '', HOME: config, CLAUDE_CONFIG_DIR: config, ...server.env, API_TIMEOUT_MS: '5000', ...testCase.extraEnv },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  const child = { stdout: result.stdout, stderr: result.stderr, status: result.exitCode ?? null };
  await server.close();
  // Make the recording independent of the temporary paths it ran in.
  const clean = (text: string) => text.replaceAll(repo, '/tmp/repo').replaceAll(config, '/tmp/claude-config').replaceAll(server.url, 'http://127.0.0.1:PORT').replaceAll(`127.0.0.1:${server.port}`, '127.0.0.1:PORT');
  const extension = testCase.args.includes('stream-json') ? 'ndjson' : 'json';
  writeFileSync(join(here, `${testCase.name}.${extension}`), clean(child.stdout));
  writeFileSync(join(here, `${testCase.name}.meta.json`), `${JSON.stringify({ exitCode: child.status, stderr: clean(child.stderr), requests: server.requests.length }, null, 2)}\n`);
  console.log(testCase.name, 'exit', child.status, 'requests', server.requests.length, 'stdout bytes', child.stdout.length);
  rmSync(repo, { recursive: true, force: true });
  rmSync(config, { recursive: true, force: true });
}
