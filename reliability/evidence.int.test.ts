import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EventEnvelope, type OrchestratorEventName, JUDGE_PROMPT_MARKER } from '@qoder-orch/core';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { reply } from '@qoder-orch/providers/test';
import { type ClaudeOrchestration, git, runClaudeOrchestration } from './fixtures/claude-orchestration';
import { holds } from './record-case';

// Real `claude` processes against the fake model server, real git and real test runners.
vi.setConfig({ testTimeout: 180_000 });

const runs: ClaudeOrchestration[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.cleanup();
});

const ofType = <K extends OrchestratorEventName>(events: EventEnvelope[], type: K): Array<EventEnvelope<K>> => events.filter((event) => event.type === type) as unknown as Array<EventEnvelope<K>>;
const judgePrompts = (run: ClaudeOrchestration) => run.server.requests.filter((request) => request.prompt.includes(JUDGE_PROMPT_MARKER)).map((request) => request.prompt);

const addTest = "import test from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/add.mjs';\n\ntest('adds', () => assert.equal(add(1, 2), 3));\n";
const packageJson = (script: string) => `${JSON.stringify({ name: 'calc', type: 'module', scripts: { test: script } }, null, 2)}\n`;

describe.skipIf(!findClaudeExecutable())('evidence, real claude against the fake server', () => {
  it('false failures: the judge sees the pass/fail summary at the end of a long TAP output', async () => {
    await holds('false failures', 'real claude: long TAP output, the judge sees its counts', async () => {
      const cases = Array.from({ length: 300 }, (_, index) => `test('case ${index} with a long and descriptive name', () => {});`).join('\n');
      const run = await runClaudeOrchestration({
        tasks: [{ id: 'fix', files: ['src/add.mjs'] }],
        files: { 'package.json': packageJson('node --test --test-reporter=tap'), 'src/add.mjs': 'export const add = (a, b) => a - b;\n', 'test/add.test.mjs': addTest, 'test/many.test.mjs': `import test from 'node:test';\n${cases}\n` },
        config: { execution: { testCommand: undefined } },
        onTask: ({ request }) => (request.turnIndex === 0 ? reply.text('Everything passes.') : reply.text('Done.')),
      });
      runs.push(run);
      expect(run.summary.status).toBe('not-met');
      const prompt = judgePrompts(run)[0] ?? '';
      expect(prompt).toContain('runner summary: node-test: 300 passed, 1 failed, 0 skipped of 301');
      expect(prompt).not.toContain('output (end): TAP version 13');
    });
  });

  it('weakened checks: an agent that rewrites the test script to `|| true` does not make the run met', async () => {
    await holds('weakened checks', 'real claude: test script rewritten to || true, not met, surfaced', async () => {
      const run = await runClaudeOrchestration({
        tasks: [{ id: 'fix', files: ['src/add.mjs'] }],
        files: { 'package.json': packageJson('node --test'), 'src/add.mjs': 'export const add = (a, b) => a - b;\n', 'test/add.test.mjs': addTest },
        config: { execution: { testCommand: undefined } },
        // Claude Code writes an existing file only after reading it.
        onTask: ({ request, cwd }) => (request.turnIndex === 0 ? reply.read(join(cwd, 'package.json')) : request.turnIndex === 1 ? reply.write(join(cwd, 'package.json'), packageJson('node --test || true')) : reply.text('Tests pass now.')),
      });
      runs.push(run);
      expect(run.summary.status).toBe('not-met');
      // The rewritten script is on main, but the project check ran the one the run started with.
      expect(JSON.parse(readFileSync(join(run.projectDir, 'package.json'), 'utf8')).scripts.test).toBe('node --test || true');
      expect(run.summary.testCommand?.at(-1)).toBe('node --test');
      expect(run.summary.checkChanges).toEqual([expect.objectContaining({ path: 'package.json', kind: 'test-script', isBlocking: true })]);
      expect(ofType(run.events, 'check-change')).toHaveLength(1);
      expect(ofType(run.events, 'undeclared-change')[0]?.files).toEqual(['package.json']);
      expect(judgePrompts(run)[0]).toContain('script "test" changed from "node --test" to "node --test || true"');
      // The same events are on disk for the user.
      expect(readFileSync(join(run.runDirectory, 'events.ndjson'), 'utf8')).toContain('"type":"check-change"');
    });
  });

  it('conflicts: a follow-up that does nothing leaves the run not met, and is told where the work is', async () => {
    await holds('conflicts', 'real claude: do-nothing follow-up, not met, prompt names the kept ref', async () => {
      const run = await runClaudeOrchestration({
        tasks: [
          { id: 'one', files: ['src/shared.txt'] },
          { id: 'two', files: ['src/two.txt'] },
        ],
        files: { 'src/shared.txt': 'line 1\nline 2\nline 3\n' },
        config: { execution: { maxIterations: 2 } },
        onTask: ({ request, taskId, cwd }) => {
          if (taskId.startsWith('fix-') || request.turnIndex > 1) return reply.text('Done.');
          const file = join(cwd, 'src', 'shared.txt');
          return request.turnIndex === 0 ? reply.read(file) : reply.write(file, `line 1\n${taskId.toUpperCase()}\nline 3\n`);
        },
      });
      runs.push(run);
      expect(run.summary.status).toBe('not-met');
      const kept = ofType(run.events, 'conflict-kept');
      expect(kept).toHaveLength(1);
      const { ref, taskId } = kept[0]!;
      expect(git(run.projectDir, ['show', `${ref}:src/shared.txt`])).toBe(`line 1\n${taskId.toUpperCase()}\nline 3\n`);
      const followUpPrompts = run.server.requests.filter((request) => /\[qoder-orch:task fix-/.test(request.prompt) && request.turnIndex === 0);
      expect(followUpPrompts.length).toBeGreaterThan(0);
      expect(followUpPrompts[0]?.prompt).toContain(`git show ${ref}`);
      expect(run.summary.conflicts).toEqual([expect.objectContaining({ taskId, ref, isLanded: false })]);
      expect(readFileSync(join(run.projectDir, 'src', 'shared.txt'), 'utf8')).not.toContain(taskId.toUpperCase());
    });
  });
});
