import { execFile } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, runCli } from '../index';
import { captureIo } from '../testing/capture-output';

const run = promisify(execFile);

describe('qoder-orchestrate demo (real Claude Code CLI, real git, scripted fake model)', () => {
  it('runs the whole pipeline on a copy of examples/todo-app and meets the objective on evidence', { timeout: 240_000 }, async () => {
    const io = captureIo({ env: { ...process.env, NO_COLOR: '1' } as Record<string, string> });
    const code = await runCli(['demo', '--no-color'], io);
    const out = io.stdout.text();
    const projectDir = /Sample project copied to (\S+) /.exec(out)?.[1];
    try {
      // On failure, say what the demo printed: a verdict other than met must be readable from CI's log.
      const printed = `--- stdout ---\n${out}\n--- stderr ---\n${io.stderr.text()}`;
      expect(io.stderr.text(), printed).toBe('');
      expect(code, printed).toBe(EXIT_CODES.met);
      expect(out).toContain("The model's answers are scripted");
      for (const block of ['VALIDATION REPORT', 'PLAN', 'API CONTRACT VERIFICATION', 'ORCHESTRATION SUMMARY']) expect(out).toContain(block);
      expect(out, printed).toMatch(/Result:\s+MET/);
      expect(out).toMatch(/Tasks:\s+5 total, 5 completed, 0 failed, 0 blocked/);
      expect(out).toContain('To run against a real account');
      expect(projectDir).toBeDefined();

      // Real work landed: one commit per task on top of the starting point, and the tests pass.
      const { stdout: log } = await run('git', ['log', '--format=%s'], { cwd: projectDir! });
      for (const title of ['Add dueDate and the overdue filter to the API contract', 'Store and validate due dates', 'Show and enter due dates in the UI', 'GET /api/todos?overdue=true', 'Tests for due dates and the overdue filter']) {
        expect(log).toContain(title);
      }
      const { stdout: tests } = await run('node', ['--test', 'test/'], { cwd: projectDir! });
      expect(tests).toMatch(/# pass 11\n# fail 0/);
      const store = await readFile(join(projectDir!, 'src', 'todo-store.js'), 'utf8');
      expect(store).toContain('function validateDueDate');

      const runs = join(projectDir!, '.qoder-orch', 'runs');
      const [runId] = await readdir(runs);
      const files = await readdir(join(runs, runId!));
      expect(files).toEqual(expect.arrayContaining(['report.html', 'orchestration.log', 'events.ndjson', 'state.json', 'plan.json']));
      const log2 = await readFile(join(runs, runId!, 'orchestration.log'), 'utf8');
      expect(log2).not.toContain('fake-anthropic-key');
    } finally {
      if (projectDir) await rm(dirname(projectDir), { recursive: true, force: true });
    }
  });
});
