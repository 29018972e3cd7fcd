import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigOverrides, type EventEnvelope, JUDGE_PROMPT_MARKER, MemoryRunStore, type OrchestratorOptions, type PreflightReport, TASK_PROMPT_MARKER, createOrchestrator } from '../index';
import { MockAgentProvider, type MockAgentProviderSettings, type MockStep } from '../test/index';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});
const projectDir = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-run-'));
  directories.push(directory);
  return directory;
};

type TaskSpec = { id: string; agent?: string; dependsOn?: string[]; files?: string[]; verify?: string[][]; estimateMinutes?: number };
const planAnswer = (tasks: TaskSpec[]) => `\`\`\`json\n${JSON.stringify({ summary: 'plan', tasks: tasks.map((task) => ({ title: `Do ${task.id}`, agent: 'backend-dev', ...task })) })}\n\`\`\``;
const met = JSON.stringify({ isMet: true, reasoning: 'All checks passed.', criteria: [] });
const notMet = (followUps: TaskSpec[] = []) => JSON.stringify({ isMet: false, reasoning: 'Not yet.', criteria: [], followUpTasks: followUps.map((task) => ({ title: `Do ${task.id}`, agent: 'backend-dev', ...task })) });
/** A project check that passes: the judge needs evidence, never just the model's word. */
const PASSING_CHECK = ['node', '-e', '0'];
/** The checks these tests plan are inline `node -e` scripts, which the command policy refuses unless the user allows them. */
const ALLOW_INLINE_CHECKS: ConfigOverrides['validation'] = { commandPolicy: { mode: 'refuse', allow: ['node -e **'] } };
const fastRetry: ConfigOverrides = { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 4 }, execution: { testCommand: PASSING_CHECK }, validation: ALLOW_INLINE_CHECKS };

/** A provider whose planning and judging answers are scripted in order, and task answers per task id. */
function provider(plan: string, judge: string[], runTask: MockAgentProviderSettings['runTask'] = {}) {
  let judgeIndex = 0;
  return new MockAgentProvider({
    complete: (options) => (options.purpose === 'judge' ? judge[Math.min(judgeIndex++, judge.length - 1)]! : plan),
    runTask,
  });
}

async function run(options: Partial<OrchestratorOptions> & { provider: MockAgentProvider }, objective = 'Build the thing', config: ConfigOverrides = {}) {
  const orchestrator = createOrchestrator({
    projectDir: options.projectDir ?? (await projectDir()),
    runStore: new MemoryRunStore(),
    random: () => 0.5,
    ...options,
    config: { ...fastRetry, ...config, execution: { maxParallel: 2, testCommand: PASSING_CHECK, ...config.execution } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => events.push(event));
  const summary = await orchestrator.run(objective, {});
  return { summary, events, orchestrator, types: events.map((event) => event.type) };
}

describe('Orchestrator', () => {
  it('plans, runs every task, judges, and emits events in order with run id, seq and timestamp', async () => {
    const mock = provider(planAnswer([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }]), [met], {
      a: [{ type: 'success', files: { 'a.txt': 'A' } }],
      b: [{ type: 'success', files: { 'b.txt': 'B' } }],
    });
    const { summary, events, types, orchestrator } = await run({ provider: mock });
    expect(summary).toMatchObject({ status: 'met', stopReason: 'met', iterations: 1, tasks: { total: 2, completed: 2, failed: 0, blocked: 0 } });
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-end');
    const order = types.filter((type) => ['plan-start', 'plan-end', 'task-start', 'task-end', 'judge-end', 'iteration-end'].includes(type));
    expect(order).toEqual(['plan-start', 'plan-end', 'task-start', 'task-end', 'task-start', 'task-end', 'judge-end', 'iteration-end']);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(new Set(events.map((event) => event.runId))).toEqual(new Set([orchestrator.runId]));
    expect(events.every((event) => !Number.isNaN(Date.parse(event.timestamp)))).toBe(true);
    // Task prompts carry the marker, the judge gets the evidence prompt.
    expect(mock.calls.runTask[0]!.prompt.startsWith(`${TASK_PROMPT_MARKER} a]`)).toBe(true);
    expect(mock.calls.complete.at(-1)!.prompt.startsWith(JUDGE_PROMPT_MARKER)).toBe(true);
    // The builtin subagent's prompt and tools reach the provider.
    expect(mock.calls.runTask[0]!.systemPrompt).toContain('backend');
    expect(mock.calls.runTask[0]!.allowedTools).toContain('Edit');
    // The run store has the events and a final state.
    const stored = await orchestrator.runStore.readEvents(orchestrator.runId);
    expect(stored.map((event) => event.type)).toEqual(types);
    expect((await orchestrator.runStore.readState(orchestrator.runId))?.status).toBe('met');
  });

  it('respects maxParallel and starts the critical path first', async () => {
    const slow: MockStep = { type: 'success', delayMs: 25 };
    const mock = provider(
      planAnswer([
        { id: 'short', estimateMinutes: 1 },
        { id: 'head', estimateMinutes: 2 },
        { id: 'tail', estimateMinutes: 30, dependsOn: ['head'] },
        { id: 'medium', estimateMinutes: 5 },
      ]),
      [met],
      () => slow,
    );
    const { events } = await run({ provider: mock });
    const starts = events.filter((event): event is EventEnvelope<'task-start'> => event.type === 'task-start').map((event) => event.taskId);
    expect(starts.slice(0, 2)).toEqual(['head', 'medium']);
    expect(mock.maxConcurrentTasks).toBe(2);
  });

  it('retries retryable failures with growing, jittered delays, and never retries an auth failure', async () => {
    const mock = provider(planAnswer([{ id: 'flaky' }, { id: 'locked-out' }]), [met, notMet()], {
      flaky: [{ type: 'error', code: 'RATE_LIMITED' }, { type: 'error', code: 'CRASHED' }, { type: 'success' }],
      'locked-out': [{ type: 'error', code: 'AUTH', message: 'Not logged in' }, { type: 'success' }],
    });
    const { summary, events } = await run({ provider: mock }, 'x', { retry: { maxAttempts: 3, initialDelayMs: 8, backoffFactor: 2, maxDelayMs: 1000 } });
    const retries = events.filter((event): event is EventEnvelope<'task-retry'> => event.type === 'task-retry');
    expect(retries.map((event) => [event.taskId, event.attempt, event.error.code])).toEqual([
      ['flaky', 2, 'RATE_LIMITED'],
      ['flaky', 3, 'CRASHED'],
    ]);
    // Equal jitter with random() = 0.5: 3/4 of 8 ms, then 3/4 of 16 ms.
    expect(retries.map((event) => event.delayMs)).toEqual([6, 12]);
    const byId = new Map(summary.results.map((result) => [result.taskId, result]));
    expect(byId.get('flaky')).toMatchObject({ status: 'completed', attempts: 3 });
    expect(byId.get('locked-out')).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'AUTH' } });
    expect(mock.calls.runTask.filter((call) => call.taskId === 'locked-out')).toHaveLength(1);
    // The retried attempt is told why the previous one failed.
    expect(mock.calls.runTask.filter((call) => call.taskId === 'flaky')[1]!.prompt).toContain('RATE_LIMITED');
  });

  it('reports dependents of a failed task as blocked, and never runs them', async () => {
    const mock = provider(planAnswer([{ id: 'base' }, { id: 'mid', dependsOn: ['base'] }, { id: 'top', dependsOn: ['mid'] }, { id: 'free' }]), [notMet()], {
      base: [{ type: 'error', code: 'MAX_TURNS' }],
    });
    const { summary } = await run({ provider: mock }, 'x', { execution: { maxIterations: 1 } });
    const byId = new Map(summary.results.map((result) => [result.taskId, result]));
    expect(byId.get('base')?.status).toBe('failed');
    expect(byId.get('mid')).toMatchObject({ status: 'blocked', blockedBy: ['base'] });
    expect(byId.get('top')).toMatchObject({ status: 'blocked', blockedBy: ['base'] });
    expect(byId.get('free')?.status).toBe('completed');
    expect(summary.tasks).toMatchObject({ total: 4, completed: 1, failed: 1, blocked: 2 });
    expect(mock.calls.runTask.map((call) => call.taskId).sort()).toEqual(['base', 'free']);
  });

  it('does not take an agent at its word: claimed success with failing checks is a failed task, not met, with a follow-up', async () => {
    const directory = await projectDir();
    const mock = provider(planAnswer([{ id: 'impl', verify: [['node', '-e', 'process.exit(3)']] }]), [met], {
      impl: [{ type: 'success', text: 'All done, tests pass!\n```json\n{"status":"success","summary":"All done"}\n```' }],
    });
    const { summary, events } = await run({ provider: mock, projectDir: directory }, 'x', { execution: { maxIterations: 1 } });
    const result = summary.results.find((candidate) => candidate.taskId === 'impl')!;
    expect(result).toMatchObject({ status: 'failed', agentClaimedSuccess: true, error: { code: 'VERIFICATION_FAILED' } });
    expect(result.verification[0]).toMatchObject({ exitCode: 3, passed: false });
    expect(summary.status).toBe('not-met');
    const verdict = events.find((event): event is EventEnvelope<'judge-end'> => event.type === 'judge-end')!.verdict;
    expect(verdict.isMet).toBe(false);
    expect(verdict.followUpTasks.map((task) => task.id)).toEqual(['fix-impl']);
    expect(verdict.followUpTasks[0]!.verify).toEqual([['node', '-e', 'process.exit(3)']]);
  });

  it("iterates with the judge's follow-ups until the objective is met", async () => {
    const directory = await projectDir();
    const mock = provider(planAnswer([{ id: 'impl', verify: [['node', '-e', "require('fs').statSync('done.txt')"]] }]), [notMet(), met], {
      impl: [{ type: 'success' }],
      'fix-impl': [{ type: 'success', files: { 'done.txt': 'yes' } }],
    });
    const { summary, types } = await run({ provider: mock, projectDir: directory });
    expect(summary).toMatchObject({ status: 'met', iterations: 2 });
    expect(types.filter((type) => type === 'iteration-end')).toHaveLength(2);
    expect(summary.results.map((result) => [result.taskId, result.status])).toEqual([
      ['impl', 'failed'],
      ['fix-impl', 'completed'],
    ]);
    expect(await readFile(join(directory, 'done.txt'), 'utf8')).toBe('yes');
    // Every iteration's plan is kept: the follow-up plan does not replace the first one.
    const kept = async (name: string) => (JSON.parse(await readFile(join(directory, 'specs', name), 'utf8')) as { tasks: Array<{ id: string }> }).tasks.map((task) => task.id);
    expect(await kept('plan-iteration-1.json')).toEqual(['impl']);
    expect(await kept('plan-iteration-2.json')).toEqual(['fix-impl']);
    expect(await kept('plan.json')).toEqual(['fix-impl']);
  });

  it('stops when an iteration makes no progress (the same failures again)', async () => {
    const failing = [['node', '-e', 'process.exit(1)']];
    const mock = provider(planAnswer([{ id: 'impl', verify: failing }]), [notMet()], () => ({ type: 'success' }));
    const { summary, events } = await run({ provider: mock }, 'x', { execution: { maxIterations: 5 } });
    expect(summary).toMatchObject({ status: 'not-met', stopReason: 'no-progress', iterations: 2 });
    const iterations = events.filter((event): event is EventEnvelope<'iteration-end'> => event.type === 'iteration-end');
    expect(iterations.map((event) => event.isProgress)).toEqual([true, false]);
  });

  it('stops at maxIterations', async () => {
    let counter = 0;
    const mock = new MockAgentProvider({
      complete: (options) => (options.purpose === 'judge' ? notMet([{ id: `next-${++counter}` }]) : planAnswer([{ id: 'first' }])),
    });
    const { summary } = await run({ provider: mock }, 'x', { execution: { maxIterations: 3 } });
    expect(summary).toMatchObject({ status: 'not-met', stopReason: 'max-iterations', iterations: 3, tasks: { completed: 3 } });
  });

  it('cancels cleanly: running agents are aborted, nothing new starts, the state says cancelled', async () => {
    const mock = provider(planAnswer([{ id: 'hangs' }, { id: 'after', dependsOn: ['hangs'] }]), [met], { hangs: [{ type: 'hang' }] });
    const controller = new AbortController();
    const orchestrator = createOrchestrator({ projectDir: await projectDir(), provider: mock, runStore: new MemoryRunStore(), config: fastRetry });
    orchestrator.on('task-start', () => setTimeout(() => controller.abort(), 5));
    const summary = await orchestrator.run('x', { abortSignal: controller.signal });
    expect(summary).toMatchObject({ status: 'cancelled', stopReason: 'cancelled' });
    expect(summary.results.map((result) => [result.taskId, result.status])).toEqual([
      ['hangs', 'cancelled'],
      ['after', 'cancelled'],
    ]);
    expect(mock.calls.runTask.map((call) => call.taskId)).toEqual(['hangs']);
    expect((await orchestrator.runStore.readState(orchestrator.runId))?.status).toBe('cancelled');
  });

  it('resumes an interrupted run without running finished tasks again', async () => {
    const directory = await projectDir();
    const store = new MemoryRunStore();
    const controller = new AbortController();
    const first = provider(planAnswer([{ id: 'one' }, { id: 'two', dependsOn: ['one'] }, { id: 'three', dependsOn: ['two'] }]), [met], {
      one: [{ type: 'success' }],
      two: [{ type: 'hang' }],
    });
    const orchestrator = createOrchestrator({ projectDir: directory, provider: first, runStore: store, config: fastRetry });
    orchestrator.on('task-start', (event) => {
      if (event.taskId === 'two') setTimeout(() => controller.abort(), 5);
    });
    const stopped = await orchestrator.run('x', { abortSignal: controller.signal });
    expect(stopped.status).toBe('cancelled');
    // Idle between the sessions: not part of the run's time.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const second = provider('unused', [met]);
    const resumed = createOrchestrator({ projectDir: directory, provider: second, runStore: store, config: fastRetry });
    const events: EventEnvelope[] = [];
    resumed.on('event', (event) => events.push(event));
    const summary = await resumed.resume(orchestrator.runId);
    expect(summary.status).toBe('met');
    expect(summary.durationMs).toBeGreaterThanOrEqual(stopped.durationMs);
    expect(summary.durationMs).toBeLessThan(Date.parse(summary.endedAt) - Date.parse(summary.startedAt) - 1400);
    expect(second.calls.runTask.map((call) => call.taskId)).toEqual(['two', 'three']);
    expect(second.calls.complete.every((call) => call.purpose === 'judge')).toBe(true);
    expect(events[0]).toMatchObject({ type: 'run-start', isResumed: true });
    // Sequence numbers continue from the interrupted run.
    const stored = await store.readEvents(orchestrator.runId);
    expect(stored.map((event) => event.seq)).toEqual(stored.map((_, index) => index + 1));
    await expect(resumed.resume('no-such-run')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });

  it('halves concurrency while rate limits last', async () => {
    const mock = provider(planAnswer([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }]), [met], {
      a: [{ type: 'error', code: 'RATE_LIMITED', retryAfterMs: 1 }, { type: 'success' }],
      b: [{ type: 'success', delayMs: 20 }],
    });
    const { events, summary } = await run({ provider: mock }, 'x', { execution: { maxParallel: 4 } });
    const changes = events.filter((event): event is EventEnvelope<'concurrency-change'> => event.type === 'concurrency-change');
    expect(changes[0]).toMatchObject({ from: 4, to: 2 });
    expect(summary.status).toBe('met');
  });

  it('stops cleanly when the budget is spent', async () => {
    const mock = provider(planAnswer([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }]), [met], () => ({ type: 'success', costUsd: 0.6 }));
    const { summary, events } = await run({ provider: mock }, 'x', { execution: { budgetUsd: 0.5 } });
    expect(summary).toMatchObject({ status: 'not-met', stopReason: 'budget' });
    expect(mock.calls.runTask.map((call) => call.taskId)).toEqual(['a']);
    expect(events.some((event) => event.type === 'warning' && event.code === 'BUDGET')).toBe(true);
  });

  it('announces planning: the time limit of each call, a timed-out call retried with its wait, an unusable answer asked again', async () => {
    const answers: Array<MockStep | string> = [{ type: 'error', code: 'TIMEOUT', message: 'no answer in 300 s' }, '{"tasks": [{"id": "a", "title": "x", "files": ["a.ts"], "desc', planAnswer([{ id: 'a' }])];
    let planCalls = 0;
    const mock = new MockAgentProvider({ complete: (options) => (options.purpose === 'judge' ? met : answers[Math.min(planCalls++, answers.length - 1)]!) });
    const { summary, events } = await run({ provider: mock }, 'Build the thing', { llm: { timeout: 42 } });
    expect(summary.status).toBe('met');
    const planning = events.filter((event) => event.type === 'plan-start' || event.type === 'plan-retry');
    expect(planning).toMatchObject([
      { type: 'plan-start', attempt: 1, timeoutMs: 42_000 },
      { type: 'plan-retry', attempt: 1, reason: 'provider-error', code: 'TIMEOUT' },
      { type: 'plan-retry', attempt: 1, reason: 'invalid-answer', code: 'invalid-json' },
      { type: 'plan-start', attempt: 2, timeoutMs: 42_000 },
    ]);
    expect((planning[1] as EventEnvelope<'plan-retry'>).delayMs).toBeGreaterThan(0);
    expect((planning[2] as EventEnvelope<'plan-retry'>).message).toContain('does not parse');
  });

  it('ends with a clear error when planning fails, and when preflight fails', async () => {
    const bad = await run({ provider: provider('I cannot plan this.', [met]) });
    expect(bad.summary).toMatchObject({ status: 'failed', stopReason: 'error', error: { code: 'PLAN_INVALID' } });
    const report: PreflightReport = {
      checks: [{ id: 'git.installed', label: 'git', status: 'fail', message: 'git is not installed', fix: 'Install git.' }],
      isPassed: false,
      hasWarnings: false,
    };
    const mock = provider(planAnswer([{ id: 'a' }]), [met]);
    const preflight = await run({ provider: mock, preflight: async () => report });
    expect(preflight.summary).toMatchObject({ status: 'failed', error: { code: 'PREFLIGHT_FAILED', message: expect.stringContaining('git is not installed') } });
    expect(preflight.types).toContain('preflight-end');
    expect(mock.calls.complete).toHaveLength(0);
  });

  it('keeps secrets out of events, errors and the run store', async () => {
    const secret = 'sk-live-THIS-IS-A-SECRET-1234567890';
    process.env.QODER_PERSONAL_ACCESS_TOKEN = secret;
    try {
      const mock = provider(planAnswer([{ id: 'leaky' }]), [notMet()], {
        leaky: [{ type: 'success', events: [{ type: 'text', text: `my token is ${secret}` }], text: `done ${secret}` }],
      });
      const { summary, orchestrator } = await run({ provider: mock }, 'x', { execution: { maxIterations: 1 } });
      const everything = JSON.stringify(await orchestrator.runStore.readEvents(orchestrator.runId)) + JSON.stringify(summary);
      expect(everything).not.toContain(secret);
      expect(everything).toContain('[REDACTED]');
    } finally {
      delete process.env.QODER_PERSONAL_ACCESS_TOKEN;
    }
  });

  it('plan() returns the validated plan and changes nothing', async () => {
    const mock = provider(planAnswer([{ id: 'a' }]), [met]);
    const store = new MemoryRunStore();
    const orchestrator = createOrchestrator({ projectDir: await projectDir(), provider: mock, runStore: store });
    const plan = await orchestrator.plan('x');
    expect(plan.tasks.map((task) => task.id)).toEqual(['a']);
    expect(mock.calls.runTask).toHaveLength(0);
    expect(await store.listRuns()).toEqual([]);
  });

  it('sends a subagent to the provider it names', async () => {
    const other = new MockAgentProvider({ providerId: 'other' });
    const mock = provider(planAnswer([{ id: 'a', agent: 'special' }]), [met]);
    const subagents = [{ name: 'special', description: 'x', systemPrompt: 'Be special.', source: 'test', provider: 'other' }];
    const { summary } = await run({ provider: mock, providers: { other }, subagents });
    expect(summary.status).toBe('met');
    expect(other.calls.runTask.map((call) => call.systemPrompt)).toEqual(['Be special.']);
    expect(mock.calls.runTask).toHaveLength(0);
  });

  it('checks the API contract after tasks that touch it and at the end, and a contract error keeps the objective unmet', async () => {
    const directory = await projectDir();
    let checks = 0;
    const contractVerifier = {
      verify: async () => {
        checks += 1;
        return {
          contractSource: 'openapi.yaml',
          contract: [{ method: 'GET', path: '/todos', origin: 'openapi' }],
          backend: [],
          frontend: [{ method: 'GET', path: '/todos', origin: 'fetch', file: 'web/app.js', line: 3 }],
          findings: [{ kind: 'not-implemented' as const, method: 'GET', path: '/todos', message: 'GET /todos is in the contract but not served', severity: 'error' as const }],
          isPassed: false,
        };
      },
    };
    const mock = provider(
      planAnswer([
        { id: 'api', files: ['server/routes.ts'] },
        { id: 'docs', files: ['README.md'] },
      ]),
      [met],
      {
        api: [{ type: 'success', files: { 'server/routes.ts': 'export {};\n' }, text: '```json\n{"status":"success","filesChanged":["server/routes.ts"]}\n```' }],
        docs: [{ type: 'success', files: { 'README.md': '# x\n' } }],
      },
    );
    const { summary, events } = await run({ provider: mock, projectDir: directory, contractVerifier }, 'x', { execution: { maxIterations: 1, maxParallel: 1 } });
    const contractEvents = events.filter((event) => event.type === 'contract-end');
    // Once after the API task (the docs task does not touch the API), once at the end.
    expect(checks).toBe(2);
    expect(contractEvents).toHaveLength(2);
    expect(summary.status).toBe('not-met');
    expect(summary.verdict?.followUpTasks.some((task) => task.title.includes('API contract'))).toBe(true);
  });

  it('goes on without contract evidence when the checker fails, and says so', async () => {
    const contractVerifier = {
      verify: async () => {
        throw new Error('openapi.yaml is missing');
      },
    };
    const mock = provider(planAnswer([{ id: 'a' }]), [met]);
    const { summary, events } = await run({ provider: mock, contractVerifier });
    expect(summary.status).toBe('met');
    expect(events.some((event) => event.type === 'warning' && event.code === 'CONTRACT_CHECK_FAILED' && event.message.includes('openapi.yaml is missing'))).toBe(true);
  });

  it("learns task durations across runs and uses them for the next run's priorities", async () => {
    const directory = await projectDir();
    const tasks = [
      { id: 'db', agent: 'architect', estimateMinutes: 1 },
      { id: 'ui', agent: 'frontend-dev', estimateMinutes: 5 },
    ];
    for (let index = 0; index < 3; index += 1) {
      // Far apart: what a task measures includes the run's own work around it, which load can stretch by a hundred ms.
      const mock = provider(planAnswer(tasks), [met], (options) => ({ type: 'success', delayMs: options.taskId === 'db' ? 300 : 2 }));
      await run({ provider: mock, projectDir: directory }, 'x', { execution: { maxParallel: 1 } });
    }
    const history = JSON.parse(await readFile(join(directory, '.qoder-orch', 'history', 'durations.json'), 'utf8'));
    expect(JSON.stringify(history)).toContain('architect');
    // The architect's "1 minute" tasks measured far longer than the frontend's "5 minutes": db now goes first.
    const mock = provider(planAnswer(tasks), [met], () => ({ type: 'success' }));
    const { events } = await run({ provider: mock, projectDir: directory }, 'x', { execution: { maxParallel: 1 } });
    const starts = events.filter((event): event is EventEnvelope<'task-start'> => event.type === 'task-start').map((event) => event.taskId);
    expect(starts).toEqual(['db', 'ui']);
  });
});
