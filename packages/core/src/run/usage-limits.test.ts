import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigOverrides, type EventEnvelope, MemoryRunStore, createOrchestrator } from '../index';
import { UsageLimitGate } from '../pipeline/usage-limit-gate';
import { MockAgentProvider } from '../test/index';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});
const projectDir = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-usage-limit-'));
  directories.push(directory);
  return directory;
};

const planAnswer = (ids: string[]) => JSON.stringify({ summary: 'plan', tasks: ids.map((id) => ({ id, title: `Do ${id}`, agent: 'backend-dev' })) });
const met = JSON.stringify({ isMet: true, reasoning: 'All checks passed.', criteria: [] });
const config: ConfigOverrides = { retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 4, usageLimitMarginSeconds: 0 }, execution: { maxParallel: 1, testCommand: ['node', '-e', '0'] } };

describe('UsageLimitGate', () => {
  it('pauses a provider until its reset plus the margin, moves a pause only later, and resumes once', async () => {
    let now = 1_000_000;
    const gate = new UsageLimitGate({ marginMs: 500, defaultWaitMs: 10_000, now: () => now });
    const events: string[] = [];
    gate.on('pause', (pause) => events.push(`pause ${pause.providerId} ${pause.resumesAt.getTime()}`));
    gate.on('resume', (resume) => events.push(`resume ${resume.providerId}`));
    expect(gate.hit({ providerId: 'a', resetsAt: new Date(now + 2000), message: 'limit' }).resumesAt.getTime()).toBe(now + 2500);
    // No reset named: the default wait; an earlier time never shortens a pause.
    expect(gate.hit({ providerId: 'a', resetsAt: undefined, message: 'limit' }).resumesAt.getTime()).toBe(now + 10_000);
    expect(gate.hit({ providerId: 'a', resetsAt: new Date(now + 1000), message: 'limit' }).resumesAt.getTime()).toBe(now + 10_000);
    // Another provider is not held back.
    await gate.wait('b');
    now += 10_000;
    await Promise.all([gate.wait('a'), gate.wait('a')]);
    expect(events).toEqual([`pause a ${1_000_000 + 2500}`, `pause a ${1_000_000 + 10_000}`, 'resume a']);
    expect(gate.pauses()).toEqual([]);
  });

  it('ends a wait with the abort reason', async () => {
    const gate = new UsageLimitGate();
    gate.hit({ providerId: 'a', resetsAt: new Date(Date.now() + 3_600_000), message: 'limit' });
    const controller = new AbortController();
    const waiting = gate.wait('a', controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('Orchestrator at a usage limit', () => {
  it('does not count the limited attempt, waits for the reset, and continues by itself', async () => {
    const resetsAt = new Date(Date.now() + 300);
    const mock = new MockAgentProvider({
      complete: (options) => (options.purpose === 'judge' ? met : planAnswer(['one', 'two'])),
      runTask: { one: [{ type: 'error', code: 'USAGE_LIMIT', message: "You've hit your session limit", resetsAt }, { type: 'success' }], two: [{ type: 'success' }] },
    });
    const orchestrator = createOrchestrator({ projectDir: await projectDir(), provider: mock, runStore: new MemoryRunStore(), config });
    const events: EventEnvelope[] = [];
    orchestrator.on('event', (event) => events.push(event));
    const summary = await orchestrator.run('x');
    expect(summary).toMatchObject({ status: 'met', tasks: { completed: 2, failed: 0 } });
    const paused = events.find((event): event is EventEnvelope<'run-paused'> => event.type === 'run-paused');
    expect(paused).toMatchObject({ providerId: 'mock', resetsAt: resetsAt.toISOString(), onUsageLimit: 'wait' });
    // The reset plus the margin (0 here), or now when the reset had already passed.
    expect(Date.parse(paused!.resumesAt)).toBeGreaterThanOrEqual(resetsAt.getTime());
    expect(events.some((event) => event.type === 'run-resumed')).toBe(true);
    // maxAttempts is 1: the limited attempt was not counted, and `two` started only after the pause.
    expect(mock.calls.runTask.map((call) => call.taskId)).toEqual(['one', 'one', 'two']);
    expect(events.filter((event) => event.type === 'task-retry')).toEqual([]);
  });

  it('Ctrl-C during the wait stops the run resumable; the resume waits out what is left and reruns nothing finished', async () => {
    const directory = await projectDir();
    const store = new MemoryRunStore();
    const controller = new AbortController();
    const first = new MockAgentProvider({
      complete: () => planAnswer(['done', 'limited']),
      runTask: { done: [{ type: 'success' }], limited: [{ type: 'error', code: 'USAGE_LIMIT', message: 'usage limit', resetsAt: new Date(Date.now() + 2000) }] },
    });
    const orchestrator = createOrchestrator({ projectDir: directory, provider: first, runStore: store, config });
    orchestrator.on('run-paused', () => setTimeout(() => controller.abort(), 10));
    const stopped = await orchestrator.run('x', { abortSignal: controller.signal });
    expect(stopped).toMatchObject({ status: 'cancelled', stopReason: 'cancelled' });
    const state = await store.readState(orchestrator.runId);
    expect(state?.usageLimits?.[0]).toMatchObject({ providerId: 'mock' });

    const second = new MockAgentProvider({ complete: () => met });
    const resumed = createOrchestrator({ projectDir: directory, provider: second, runStore: store, config });
    const events: EventEnvelope[] = [];
    resumed.on('event', (event) => events.push(event));
    const summary = await resumed.resume(orchestrator.runId);
    expect(summary.status).toBe('met');
    const paused = events.find((event): event is EventEnvelope<'run-paused'> => event.type === 'run-paused');
    expect(paused?.resumesAt).toBe(state?.usageLimits?.[0]?.resumesAt);
    expect(second.calls.runTask.map((call) => call.taskId)).toEqual(['limited']);
    expect((await store.readState(orchestrator.runId))?.usageLimits).toEqual([]);
  });

  it("with onUsageLimit 'exit' stops resumable at once, and a limit while planning stops the same way", async () => {
    const mock = new MockAgentProvider({
      complete: () => planAnswer(['limited']),
      runTask: { limited: [{ type: 'error', code: 'USAGE_LIMIT', message: 'usage limit', resetsAt: new Date(Date.now() + 3_600_000) }] },
    });
    const orchestrator = createOrchestrator({ projectDir: await projectDir(), provider: mock, runStore: new MemoryRunStore(), config: { ...config, retry: { ...config.retry, onUsageLimit: 'exit' } } });
    const summary = await orchestrator.run('x');
    expect(summary).toMatchObject({ status: 'cancelled', stopReason: 'usage-limit' });

    const planning = new MockAgentProvider({ complete: [{ type: 'error', code: 'USAGE_LIMIT', message: 'usage limit' }] });
    const store = new MemoryRunStore();
    const other = createOrchestrator({ projectDir: await projectDir(), provider: planning, runStore: store, config: { ...config, retry: { ...config.retry, onUsageLimit: 'exit' } } });
    expect(await other.run('x')).toMatchObject({ status: 'cancelled', stopReason: 'usage-limit' });
    expect((await store.readState(other.runId))?.usageLimits).toHaveLength(1);
  });

  it("with onUsageLimit 'wait' a limit while planning is waited out and planning asked again", async () => {
    const planning = new MockAgentProvider({ complete: [{ type: 'error', code: 'USAGE_LIMIT', message: 'usage limit', resetsAt: new Date(Date.now() + 200) }, planAnswer(['one']), met] });
    const orchestrator = createOrchestrator({ projectDir: await projectDir(), provider: planning, runStore: new MemoryRunStore(), config });
    const events: EventEnvelope[] = [];
    orchestrator.on('event', (event) => events.push(event));
    expect(await orchestrator.run('x')).toMatchObject({ status: 'met' });
    expect(events.map((event) => event.type).filter((type) => type === 'run-paused' || type === 'run-resumed')).toEqual(['run-paused', 'run-resumed']);
  });

  it('a batch that hits the limit pauses the provider; its tasks then run one by one after the reset', async () => {
    const plan = JSON.stringify({ tasks: ['a', 'b'].map((id) => ({ id, title: `Add ${id}`, agent: 'backend-dev', files: [`${id}.txt`], estimateMinutes: 3 })) });
    const resetsAt = new Date(Date.now() + 300);
    const mock = new MockAgentProvider({
      complete: (options) => (options.purpose === 'judge' ? met : plan),
      runTask: (options, callIndex) => (callIndex === 0 ? { type: 'error', code: 'USAGE_LIMIT', message: 'usage limit', resetsAt } : { type: 'success', files: { [`${options.taskId}.txt`]: options.taskId } }),
    });
    const orchestrator = createOrchestrator({ projectDir: await projectDir(), provider: mock, runStore: new MemoryRunStore(), config: { ...config, execution: { ...config.execution, enableBatchProcessing: true, batchMaxTasks: 3 } } });
    const events: EventEnvelope[] = [];
    orchestrator.on('event', (event) => events.push(event));
    expect(await orchestrator.run('x')).toMatchObject({ status: 'met', tasks: { completed: 2, failed: 0 } });
    expect(mock.calls.runTask.map((call) => call.taskId)).toEqual(['a+b', 'a', 'b']);
    expect(events.some((event) => event.type === 'run-paused')).toBe(true);
    const resumedAt = Date.parse(events.find((event) => event.type === 'run-resumed')!.timestamp);
    for (const event of events.filter((event) => event.type === 'task-start' && Date.parse(event.timestamp) > Date.parse(events.find((e) => e.type === 'run-paused')!.timestamp))) {
      expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(resumedAt);
    }
  });
});
