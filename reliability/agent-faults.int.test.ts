import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EventEnvelope, RETRYABLE_PROVIDER_CODES } from '@qoder-orch/core';
import { findClaudeExecutable } from '@qoder-orch/providers';
import { fakeClaudeCliSettings, isProcessRunning, reply } from '@qoder-orch/providers/test';
import { agentProcessesUnder } from './fixtures/agent-processes';
import { type ClaudeOrchestration, type TaskTurnHandler, runClaudeOrchestration, writesItsFile } from './fixtures/claude-orchestration';
import { holds } from './record-case';

// Real processes and git on a shared 2-core machine: generous per-test limits, no timed assertions.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Agent processes that hang, stall, are SIGKILLed mid-task, print garbage or nothing: the real
 * `claude` binary (or a stand-in that misbehaves on task prompts) under a whole orchestration.
 */
const MISBEHAVING = fileURLToPath(new URL('./fixtures/misbehaving-claude.mjs', import.meta.url));
const runs: ClaudeOrchestration[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.cleanup();
});

const retries = (events: EventEnvelope[], taskId: string) => events.filter((event): event is EventEnvelope<'task-retry'> => event.type === 'task-retry' && event.taskId === taskId);

/** Every agent pid seen during the run, to check afterwards that none outlived it. */
function watchProcesses(): { seen: Set<number>; onTask: (inner: TaskTurnHandler) => TaskTurnHandler; projectDir?: string } {
  const seen = new Set<number>();
  return {
    seen,
    onTask: (inner) => (input) => {
      for (const agent of agentProcessesUnder(input.cwd)) seen.add(agent.pid);
      return inner(input);
    },
  };
}

function expectNoOrphans(run: ClaudeOrchestration, seen: Set<number>): void {
  expect(seen.size, 'no agent process was observed').toBeGreaterThan(0);
  expect([...seen].filter((pid) => isProcessRunning(pid))).toEqual([]);
  expect(agentProcessesUnder(run.projectDir)).toEqual([]);
}

function expectAccounting(run: ClaudeOrchestration, completed: number, failed: number): void {
  const { summary } = run;
  expect(summary.tasks).toMatchObject({ total: completed + failed, completed, failed });
  expect(summary.results.filter((result) => result.status === 'completed')).toHaveLength(completed);
  const ends = run.events.filter((event) => event.type === 'task-end');
  expect(ends).toHaveLength(completed + failed);
  // The events on disk tell the same story as the summary.
  const onDisk = readFileSync(join(run.runDirectory, 'events.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string });
  expect(onDisk.filter((event) => event.type === 'task-end')).toHaveLength(completed + failed);
}

describe.skipIf(!findClaudeExecutable())('agent faults, real claude against the fake server', () => {
  it('an agent whose model never answers is killed by our outer timeout, retried, and the run completes', async () => {
    await holds('agent faults', 'hang (no answer): outer timeout, retried', async () => {
      const watch = watchProcesses();
      const run = await runClaudeOrchestration({
        tasks: [
          { id: 'hangs', files: ['src/hangs.txt'] },
          { id: 'fine', files: ['src/fine.txt'] },
        ],
        onTask: watch.onTask((input) => (input.taskId === 'hangs' && input.attempt === 1 ? reply.hang() : writesItsFile()(input))),
        config: { execution: { taskTimeout: 12 }, retry: { maxAttempts: 2 } },
        settings: { stallTimeoutMs: 600_000 },
      });
      runs.push(run);
      expect(run.summary.status).toBe('met');
      expect(retries(run.events, 'hangs')).toHaveLength(1);
      expect(retries(run.events, 'hangs')[0]!.error).toMatchObject({ code: 'TIMEOUT' });
      expect(run.summary.results.find((result) => result.taskId === 'hangs')).toMatchObject({ status: 'completed', attempts: 2 });
      expectAccounting(run, 2, 0);
      expectNoOrphans(run, watch.seen);
      expect(readFileSync(join(run.projectDir, 'src/hangs.txt'), 'utf8')).toBe('hangs done\n');
    });
  });

  it('an agent whose stream stalls after message_start is killed by the stall watchdog, then fails as configured (one attempt)', async () => {
    await holds('agent faults', 'stalled stream: watchdog, failed without retry', async () => {
      const watch = watchProcesses();
      const run = await runClaudeOrchestration({
        tasks: [
          { id: 'stalls', files: ['src/stalls.txt'] },
          { id: 'fine', files: ['src/fine.txt'] },
        ],
        onTask: watch.onTask((input) => (input.taskId === 'stalls' ? reply.stall() : writesItsFile()(input))),
        config: { retry: { maxAttempts: 1 } },
        settings: { stallTimeoutMs: 8_000 },
        judge: () => reply.json({ isMet: false, reasoning: 'stalls did not finish' }),
      });
      runs.push(run);
      const stalled = run.summary.results.find((result) => result.taskId === 'stalls');
      expect(stalled).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'TIMEOUT' } });
      expect(stalled?.error?.message).toMatch(/no output|stall|silent|printed nothing/i);
      expect(retries(run.events, 'stalls')).toHaveLength(0);
      // The healthy task's work is kept.
      expect(readFileSync(join(run.projectDir, 'src/fine.txt'), 'utf8')).toBe('fine done\n');
      expect(existsSync(join(run.projectDir, 'src/stalls.txt'))).toBe(false);
      expectAccounting(run, 1, 1);
      expectNoOrphans(run, watch.seen);
    });
  });

  it('an agent process SIGKILLed mid-task is reported CRASHED and retried', async () => {
    await holds('agent faults', 'SIGKILL mid-task: CRASHED, retried', async () => {
      const watch = watchProcesses();
      const killed: number[] = [];
      const run = await runClaudeOrchestration({
        tasks: [{ id: 'victim', files: ['src/victim.txt'] }],
        onTask: watch.onTask((input) => {
          if (input.taskId === 'victim' && input.attempt === 1) {
            // The model "thinks" (the reply is held) while the process dies.
            for (const agent of agentProcessesUnder(input.cwd)) {
              killed.push(agent.pid);
              process.kill(agent.pid, 'SIGKILL');
            }
            return reply.hang();
          }
          return writesItsFile()(input);
        }),
        config: { retry: { maxAttempts: 3 } },
        settings: { stallTimeoutMs: 60_000 },
      });
      runs.push(run);
      expect(killed.length).toBeGreaterThan(0);
      expect(run.summary.status).toBe('met');
      expect(retries(run.events, 'victim').map((event) => event.error.code)).toEqual(['CRASHED']);
      expect(retries(run.events, 'victim')[0]!.error.message).toMatch(/SIGKILL|signal|killed/i);
      expect(run.summary.results[0]).toMatchObject({ status: 'completed', attempts: 2 });
      expectAccounting(run, 1, 0);
      expectNoOrphans(run, watch.seen);
    });
  });

  for (const [behaviour, codes, pattern] of [
    ['garbage', ['BAD_OUTPUT'], /output|JSON|result/i],
    ['silent', ['BAD_OUTPUT', 'CRASHED'], /output|nothing|result/i],
    ['silent-fail', ['CRASHED'], /exit|code 1|crash/i],
  ] as const) {
    it(`an agent that ${behaviour === 'garbage' ? 'prints garbage and exits 0' : behaviour === 'silent' ? 'prints nothing and exits 0' : 'prints nothing and exits 1'} fails with ${codes.join(' or ')} and a clear message, retried only when that can help`, async () => {
      await holds('agent faults', `${behaviour} output: ${codes.join('/')}`, async () => {
        const realClaude = findClaudeExecutable()!;
        let settingsEnv: Record<string, string> = {};
        const run = await runClaudeOrchestration({
          tasks: [
            { id: 'broken', files: ['src/broken.txt'] },
            { id: 'fine', files: ['src/fine.txt'] },
          ],
          onTask: (input) => writesItsFile()(input),
          config: { retry: { maxAttempts: 2 } },
          beforeRun: ({ server }) => {
            settingsEnv = { ...fakeClaudeCliSettings(server).env, REAL_CLAUDE: realClaude, MISBEHAVIOUR: behaviour };
          },
          get settings() {
            return { executable: MISBEHAVING, env: settingsEnv };
          },
          judge: () => reply.json({ isMet: false, reasoning: 'broken failed' }),
        });
        runs.push(run);
        // The stand-in misbehaves on every task prompt, so both tasks fail the same way: retried
        // when the code is a retryable one (CRASHED), at once when retrying cannot help (BAD_OUTPUT).
        for (const result of run.summary.results) {
          expect(result.status).toBe('failed');
          expect(codes).toContain(result.error?.code);
          const isRetryable = RETRYABLE_PROVIDER_CODES.has(result.error!.code as never);
          expect(result.attempts).toBe(isRetryable ? 2 : 1);
          expect(retries(run.events, result.taskId)).toHaveLength(isRetryable ? 1 : 0);
          expect(result.error?.message).toMatch(pattern);
          expect(result.error?.message.length).toBeGreaterThan(20);
        }
        expectAccounting(run, 0, 2);
        expect(agentProcessesUnder(run.projectDir)).toEqual([]);
      });
    });
  }
});
