import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ConfigOverrides, type EventEnvelope, type OrchestratorEventName, type RunTaskOptions, JUDGE_PROMPT_MARKER, MemoryRunStore, createOrchestrator } from '@qoder-orch/core';
import { MockAgentProvider, type MockAgentProviderSettings, type MockStep } from '@qoder-orch/core/test';
import { createUserRepository, git } from './fixtures/claude-orchestration';
import { holds } from './record-case';

// Real git, real test runners (node --test), a scripted in-process agent; the judge model always says "met".
vi.setConfig({ testTimeout: 120_000 });

const projects: string[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) rmSync(join(project, '..'), { recursive: true, force: true });
});

type TaskSpec = { id: string; files?: string[]; verify?: string[][] };

async function orchestrate(options: { files: Record<string, string>; tasks: TaskSpec[]; runTask: NonNullable<MockAgentProviderSettings['runTask']>; config?: ConfigOverrides }) {
  const projectDir = createUserRepository(options.files);
  projects.push(projectDir);
  const plan = JSON.stringify({ tasks: options.tasks.map((task) => ({ title: `Do ${task.id}`, agent: 'backend-dev', ...task })) });
  const provider = new MockAgentProvider({
    complete: (call) => (call.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'The agents say everything works.' }) : plan),
    runTask: options.runTask,
  });
  const orchestrator = createOrchestrator({
    projectDir,
    provider,
    runStore: new MemoryRunStore(),
    durationHistory: false,
    random: () => 0.5,
    config: { ...options.config, execution: { maxParallel: 2, maxIterations: 1, ...options.config?.execution }, retry: { initialDelayMs: 1, maxDelayMs: 2, ...options.config?.retry } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => events.push(event));
  const summary = await orchestrator.run('Fix add()');
  const judgePrompts = provider.calls.complete.filter((call) => call.prompt.startsWith(JUDGE_PROMPT_MARKER)).map((call) => call.prompt);
  return { projectDir, summary, events, provider, judgePrompts };
}

const ofType = <K extends OrchestratorEventName>(events: EventEnvelope[], type: K): Array<EventEnvelope<K>> => events.filter((event) => event.type === type) as unknown as Array<EventEnvelope<K>>;

/** A node project whose one test fails on main until `add` is fixed. */
const nodeProject = (script = 'node --test') => ({
  'package.json': `${JSON.stringify({ name: 'calc', type: 'module', scripts: { test: script } }, null, 2)}\n`,
  'src/add.mjs': 'export const add = (a, b) => a - b;\n',
  'test/add.test.mjs': "import test from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/add.mjs';\n\ntest('adds', () => assert.equal(add(1, 2), 3));\n",
});
const fixedAdd = { 'src/add.mjs': 'export const add = (a, b) => a + b;\n' };

describe('evidence: false failures', () => {
  it('the judge sees the summary at the end of a long node --test TAP output, and its counts', async () => {
    await holds('false failures', 'long TAP output: the judge sees the fail count at its end', async () => {
      const cases = Array.from({ length: 400 }, (_, index) => `test('case ${index} checks a long and descriptive behaviour name', () => {});`).join('\n');
      const run = await orchestrate({
        files: { ...nodeProject('node --test --test-reporter=tap'), 'test/many.test.mjs': `import test from 'node:test';\n${cases}\n` },
        tasks: [{ id: 'fix', files: ['src/add.mjs'] }],
        // The agent says it is done but changes nothing: the one real failure is at the end of 400 passes.
        runTask: () => ({ type: 'success', text: 'All tests pass.' }),
      });
      expect(run.summary.status).toBe('not-met');
      const prompt = run.judgePrompts[0] ?? '';
      expect(prompt).toContain('runner summary: node-test: 400 passed, 1 failed, 0 skipped of 401');
      // The end of the output itself is shown too, where the runner prints its verdict.
      expect(prompt).toMatch(/output \(end\): [\s\S]*# fail 1\n/);
      expect(prompt).not.toContain('output (end): TAP version 13');
    });
  });

  it('the judge sees the summary vitest prints after 300 passing tests', async () => {
    await holds('false failures', 'long vitest output: the judge sees its Tests line', async () => {
      const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
      const passing = (name: string) => Array.from({ length: 100 }, (_, index) => `test('${name} ${index} has a long descriptive name', () => {});`).join('\n');
      const run = await orchestrate({
        files: { 'README.md': '# app\n', 'a.test.js': passing('a'), 'b.test.js': passing('b'), 'c.test.js': `${passing('c')}\ntest('breaks', () => expect(1).toBe(2));\n` },
        tasks: [{ id: 'fix', files: ['c.test.js'] }],
        runTask: () => ({ type: 'success', text: 'All green.' }),
        config: { execution: { testCommand: [process.execPath, vitest, 'run', '--globals', '--reporter=verbose'] } },
      });
      expect(run.summary.status).toBe('not-met');
      expect(run.judgePrompts[0]).toContain('runner summary: vitest: 300 passed, 1 failed, 0 skipped of 301');
    });
  });
});

describe('evidence: weakened checks', () => {
  it('a test script rewritten to `|| true` is surfaced, not run, and the run is not met', async () => {
    await holds('weakened checks', 'test script rewritten to || true: pinned script runs, not met, surfaced', async () => {
      const run = await orchestrate({
        files: nodeProject(),
        tasks: [{ id: 'fix', files: ['src/add.mjs'] }],
        runTask: () => ({ type: 'success', files: { 'package.json': `${JSON.stringify({ name: 'calc', type: 'module', scripts: { test: 'node --test || true' } }, null, 2)}\n` } }),
      });
      expect(run.summary.status).toBe('not-met');
      // The project check is the script as it read when the run started, and it fails on main.
      expect(run.summary.testCommand?.slice(-1)).toEqual(['node --test']);
      const projectCheck = run.summary.verdict?.criteria.find((criterion) => criterion.criterion.includes('project checks'));
      expect(projectCheck?.isMet).toBe(false);
      expect(run.summary.checkChanges).toEqual([expect.objectContaining({ path: 'package.json', kind: 'test-script', isBlocking: true, detail: expect.stringContaining('node --test || true') })]);
      expect(ofType(run.events, 'check-change')[0]).toMatchObject({ taskId: 'fix', changes: [expect.objectContaining({ path: 'package.json' })] });
      expect(ofType(run.events, 'undeclared-change')[0]).toMatchObject({ taskId: 'fix', files: ['package.json'] });
      expect(run.judgePrompts[0]).toContain('package.json: script "test" changed from "node --test" to "node --test || true"');
      expect(run.summary.verdict?.reasoning).toContain('the checks themselves were changed');
    });
  });

  it("a task's own `npm test` runs the script as it read at the start, not the one the agent rewrote in its tree", async () => {
    await holds('weakened checks', 'task verify `npm test` runs the pinned script: the task fails', async () => {
      const run = await orchestrate({
        files: nodeProject(),
        tasks: [{ id: 'fix', files: ['src/add.mjs'], verify: [['npm', 'test']] }],
        runTask: () => ({ type: 'success', files: { 'package.json': `${JSON.stringify({ name: 'calc', type: 'module', scripts: { test: 'node --test || true' } }, null, 2)}\n` } }),
        config: { retry: { maxAttempts: 1 } },
      });
      expect(run.summary.status).toBe('not-met');
      const result = run.summary.results.find((candidate) => candidate.taskId === 'fix');
      expect(result).toMatchObject({ status: 'failed', error: { code: 'VERIFICATION_FAILED' } });
      expect(result?.verification[0]).toMatchObject({ command: ['sh', '-c', 'node --test'], passed: false });
    });
  });

  it('a secret in a rewritten script is redacted from the check-change evidence', async () => {
    await holds('weakened checks', 'secret in a rewritten test script: redacted from events and summary', async () => {
      const secret = 'sk-evidence-0123456789abcdefghij';
      const run = await orchestrate({
        files: { ...nodeProject(), '.gitignore': '.env.local\n', '.env.local': `API_TOKEN=${secret}\n` },
        tasks: [{ id: 'fix', files: ['src/add.mjs'] }],
        runTask: () => ({ type: 'success', files: { 'package.json': `${JSON.stringify({ name: 'calc', type: 'module', scripts: { test: `API_TOKEN=${secret} node --test || true` } }, null, 2)}\n` } }),
      });
      expect(run.summary.status).toBe('not-met');
      expect(run.summary.checkChanges?.[0]?.detail).toContain('[REDACTED]');
      expect(JSON.stringify(run.summary)).not.toContain(secret);
      expect(JSON.stringify(run.events)).not.toContain(secret);
    });
  });

  it('a deleted failing test makes the project check pass, and still the run is not met', async () => {
    await holds('weakened checks', 'failing test deleted: not met, surfaced', async () => {
      const run = await orchestrate({
        files: { ...nodeProject(), 'test/other.test.mjs': "import test from 'node:test';\ntest('other', () => {});\n" },
        tasks: [{ id: 'fix', files: ['src/add.mjs'] }],
        runTask: () => ({ type: 'success', files: { 'test/add.test.mjs': null } }),
      });
      expect(run.judgePrompts[0]).toContain('## Project checks\n- `sh -c node --test` exit 0 [project] → PASSED');
      expect(run.summary.status).toBe('not-met');
      expect(run.summary.checkChanges).toEqual([expect.objectContaining({ path: 'test/add.test.mjs', kind: 'test-deleted', isBlocking: true })]);
    });
  });

  it('an added .skip is surfaced and keeps the run from being met; the user can accept a change to the checks', async () => {
    await holds('weakened checks', 'it.skip/test.skip added: not met; accepted change: met', async () => {
      const skipped = await orchestrate({
        files: nodeProject(),
        tasks: [{ id: 'fix', files: ['src/add.mjs', 'test/add.test.mjs'] }],
        runTask: () => ({ type: 'success', files: { 'test/add.test.mjs': (nodeProject()['test/add.test.mjs'] as string).replace("test('adds'", "test.skip('adds'") } }),
      });
      expect(skipped.summary.status).toBe('not-met');
      expect(skipped.summary.checkChanges).toEqual([expect.objectContaining({ kind: 'test-skipped', detail: '1 × a .skip/.todo/.only added' })]);
      expect(skipped.summary.verdict?.followUpTasks.map((task) => task.id)).toContain('fix-restore-checks');

      // A harmless, real change to the script with the fix: blocked by default, met once accepted.
      const change = { ...fixedAdd, 'package.json': `${JSON.stringify({ name: 'calc', type: 'module', scripts: { test: 'node --test test/' } }, null, 2)}\n` };
      const blocked = await orchestrate({ files: nodeProject(), tasks: [{ id: 'fix', files: ['src/add.mjs', 'package.json'] }], runTask: () => ({ type: 'success', files: change }) });
      expect(blocked.summary.status).toBe('not-met');
      const accepted = await orchestrate({
        files: nodeProject(),
        tasks: [{ id: 'fix', files: ['src/add.mjs', 'package.json'] }],
        runTask: () => ({ type: 'success', files: change }),
        config: { execution: { acceptCheckChanges: true } },
      });
      expect(accepted.summary.status).toBe('met');
      expect(accepted.summary.isCheckChangeAccepted).toBe(true);
      expect(accepted.summary.checkChanges).toHaveLength(1);
      expect(ofType(accepted.events, 'undeclared-change')).toEqual([]);
    });
  });
});

describe('evidence: conflicts', () => {
  const files = { 'README.md': '# app\n', 'src/shared.txt': 'line 1\nline 2\nline 3\n' };
  const tasks = [
    { id: 'one', files: ['src/shared.txt'] },
    { id: 'two', files: ['src/other.txt'] },
  ];
  const conflicting =
    (fix: (call: RunTaskOptions) => MockStep) =>
    (call: RunTaskOptions): MockStep => {
      if (call.taskId === 'one') return { type: 'success', delayMs: 5, files: { 'src/shared.txt': 'line 1\nONE\nline 3\n' } };
      if (call.taskId === 'two') return { type: 'success', delayMs: 150, files: { 'src/shared.txt': 'line 1\nTWO\nline 3\n' } };
      return fix(call);
    };
  const config = { execution: { maxIterations: 2, testCommand: ['node', '-e', '0'] } };

  it('a follow-up that does nothing does not clear the conflict; it is told where the work is', async () => {
    await holds('conflicts', 'do-nothing follow-up: not met, prompt names the kept ref', async () => {
      const run = await orchestrate({ files, tasks, config, runTask: conflicting(() => ({ type: 'success', text: 'Resolved, nothing to do.' })) });
      expect(run.summary.status).toBe('not-met');
      const kept = ofType(run.events, 'conflict-kept');
      expect(kept).toHaveLength(1);
      const ref = kept[0]?.ref ?? '';
      expect(ref).toBe(`refs/qoder-orch/leftovers/${run.summary.runId}/two/conflict`);
      expect(git(run.projectDir, ['show', `${ref}:src/shared.txt`])).toBe('line 1\nTWO\nline 3\n');
      const followUp = run.provider.calls.runTask.find((call) => call.taskId.startsWith('fix-'));
      expect(followUp?.prompt).toContain(ref);
      expect(followUp?.prompt).toContain(`git show ${ref}`);
      expect(run.summary.conflicts).toEqual([expect.objectContaining({ taskId: 'two', ref, isLanded: false })]);
      expect(await readFile(join(run.projectDir, 'src/shared.txt'), 'utf8')).toBe('line 1\nONE\nline 3\n');
      expect(ofType(run.events, 'warning').some((event) => event.code === 'CONFLICT_NOT_LANDED' && event.message.includes(ref))).toBe(true);
    });
  });

  it('a follow-up that drops the conflicted side does not clear it; one that keeps both sides does', async () => {
    await holds('conflicts', "follow-up keeping only main's side: not met; keeping both: met", async () => {
      const dropped = await orchestrate({ files, tasks, config, runTask: conflicting(() => ({ type: 'success', files: { 'src/shared.txt': 'line 1\nONE\nline 3\n' } })) });
      expect(dropped.summary.status).toBe('not-met');
      expect(dropped.summary.conflicts?.[0]).toMatchObject({ taskId: 'two', isLanded: false, missing: ['src/shared.txt'] });

      const resolved = await orchestrate({ files, tasks, config, runTask: conflicting(() => ({ type: 'success', files: { 'src/shared.txt': 'line 1\nONE\nTWO\nline 3\n' } })) });
      expect(resolved.summary.status).toBe('met');
      expect(resolved.summary.conflicts?.[0]).toMatchObject({ taskId: 'two', isLanded: true });
      expect(await readFile(join(resolved.projectDir, 'src/shared.txt'), 'utf8')).toBe('line 1\nONE\nTWO\nline 3\n');
    });
  });
});
