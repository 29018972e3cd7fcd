import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRunStore, createOrchestrator } from '../index';
import { MockAgentProvider, type MockStep } from '../test/index';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const plan = JSON.stringify({ summary: 'plan', tasks: ['a', 'b', 'c'].map((id) => ({ id, title: `Do ${id}`, agent: 'backend-dev', files: [`${id}.txt`] })) });
const met = JSON.stringify({ isMet: true, reasoning: 'ok', criteria: [] });
const mock = (runTask: Record<string, MockStep[]>) => new MockAgentProvider({ complete: (options) => (options.purpose === 'judge' ? met : plan), runTask });

describe('an executor whose queue is lost (QUEUE_UNAVAILABLE)', () => {
  it('stops the run as cancelled with the reason, fails no task and retries nothing; the resumed run finishes the rest and keeps the finished task', async () => {
    const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-stop-'));
    directories.push(projectDir);
    const runStore = new MemoryRunStore();
    const config = { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 }, execution: { maxParallel: 3, testCommand: ['node', '-e', '0'] } };
    const lost = mock({
      a: [{ type: 'success', files: { 'a.txt': 'A' } }],
      b: [{ type: 'error', code: 'QUEUE_UNAVAILABLE', message: 'Redis has not answered for 30 s', isRetryable: true, delayMs: 300 }],
      c: [{ type: 'hang' }],
    });
    const first = createOrchestrator({ projectDir, runStore, provider: lost, config });
    const summary = await first.run('Build it');
    expect(summary).toMatchObject({ status: 'cancelled', stopReason: 'cancelled', error: { code: 'QUEUE_UNAVAILABLE' } });
    expect(summary.results.find((result) => result.taskId === 'a')?.status).toBe('completed');
    expect(summary.results.filter((result) => result.status === 'failed')).toEqual([]);
    // Not retried: one call for b; c was cancelled, not left hanging.
    expect(lost.calls.runTask.filter((call) => call.taskId === 'b')).toHaveLength(1);
    const state = await runStore.readState(first.runId);
    expect(state?.status).toBe('cancelled');
    expect(state?.tasks['b']?.status).toBe('cancelled');

    const back = mock({ b: [{ type: 'success', files: { 'b.txt': 'B' } }], c: [{ type: 'success', files: { 'c.txt': 'C' } }] });
    const resumed = await createOrchestrator({ projectDir, runStore, provider: back, config }).resume(first.runId);
    expect(resumed).toMatchObject({ status: 'met', tasks: { completed: 3 } });
    expect(back.calls.runTask.map((call) => call.taskId).sort()).toEqual(['b', 'c']);
  });
});
