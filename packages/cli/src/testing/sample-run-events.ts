import type { EventEnvelope, OrchestratorEventMap, OrchestratorEventName, Plan, RunSummary, TaskResult } from '@qoder-orch/core';

/**
 * A realistic run's events, built by hand in the shape the orchestrator emits: 5 tasks over
 * 3 slots, one retry, one failing check that was fixed, a contract report and a verdict. The
 * objective and an agent summary carry hostile markup to prove the report escapes them.
 */
export const HOSTILE_OBJECTIVE = 'Add due dates to todos <script>alert("pwned")</script> & "quotes"';
export const RUN_ID = '20261125-174512-ab12';

const base = Date.parse('2026-11-25T17:45:12.000Z');
const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();

export const samplePlan: Plan = {
  objective: HOSTILE_OBJECTIVE,
  summary: 'Contract first, then backend and frontend in parallel, then tests.',
  tasks: [
    {
      id: 'api-contract',
      title: 'Add dueDate to the API contract',
      description: '',
      agent: 'architect',
      dependsOn: [],
      files: ['openapi.json'],
      acceptance: ['openapi.json documents dueDate'],
      verify: [['node', '--test']],
      estimateMinutes: 5,
    },
    {
      id: 'backend-due-dates',
      title: 'Store and validate due dates',
      description: '',
      agent: 'backend-dev',
      dependsOn: ['api-contract'],
      files: ['src/todo-store.js', 'src/server.js'],
      acceptance: ['POST accepts dueDate'],
      verify: [['node', '--test']],
      estimateMinutes: 10,
    },
    {
      id: 'frontend-due-dates',
      title: 'Show and edit due dates',
      description: '',
      agent: 'frontend-dev',
      dependsOn: ['api-contract'],
      files: ['public/app.js', 'public/index.html'],
      acceptance: ['the list shows due dates'],
      verify: [['node', '--check', 'public/app.js']],
      estimateMinutes: 10,
    },
    {
      id: 'overdue-filter',
      title: 'Overdue filter',
      description: '',
      agent: 'backend-dev',
      dependsOn: ['backend-due-dates'],
      files: ['src/server.js'],
      acceptance: ['GET /api/todos?overdue=true'],
      verify: [['node', '--test']],
      estimateMinutes: 8,
    },
    {
      id: 'qa-due-dates',
      title: 'Tests for due dates',
      description: '',
      agent: 'qa-agent',
      dependsOn: ['backend-due-dates', 'frontend-due-dates'],
      files: ['test/due-dates.test.js'],
      acceptance: ['tests cover invalid dates'],
      verify: [['node', '--test']],
      estimateMinutes: 8,
    },
  ],
};

function result(taskId: string, agent: string, slot: number, start: number, end: number, extra: Partial<TaskResult> = {}): TaskResult {
  return {
    taskId,
    agent,
    iteration: 1,
    status: 'completed',
    attempts: 1,
    startedAt: at(start),
    endedAt: at(end),
    durationMs: (end - start) * 1000,
    slot,
    summary: `Done. ${taskId}`,
    agentClaimedSuccess: true,
    usage: { inputTokens: 4200 + slot * 300, outputTokens: 610 + slot * 40 },
    costUsd: 0.0123 + slot * 0.004,
    verification: [{ command: ['node', '--test'], exitCode: 0, passed: true, isTimedOut: false, durationMs: 640, outputTail: '# tests 9\n# pass 9\n# fail 0', phase: 'task' }],
    filesChanged: ['src/server.js'],
    commit: '3f2a9c1d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c',
    ...extra,
  };
}

export const sampleResults: TaskResult[] = [
  result('api-contract', 'architect', 0, 2, 6, { filesChanged: ['openapi.json'] }),
  result('backend-due-dates', 'backend-dev', 0, 7, 16, {
    attempts: 2,
    filesChanged: ['src/todo-store.js', 'src/server.js'],
    verification: [
      { command: ['node', '--test'], exitCode: 1, passed: false, isTimedOut: false, durationMs: 700, outputTail: 'not ok 3 - rejects an invalid dueDate\n# fail 1', phase: 'task' },
      { command: ['node', '--test'], exitCode: 0, passed: true, isTimedOut: false, durationMs: 650, outputTail: '# pass 10\n# fail 0', phase: 'task' },
    ],
  }),
  result('frontend-due-dates', 'frontend-dev', 1, 7, 13, { filesChanged: ['public/app.js', 'public/index.html'], summary: 'Rendered <img src=x onerror=alert(1)> in the list' }),
  result('overdue-filter', 'backend-dev', 1, 17, 22),
  result('qa-due-dates', 'qa-agent', 2, 17, 24, { filesChanged: ['test/due-dates.test.js'] }),
];

export const sampleSummary: RunSummary = {
  runId: RUN_ID,
  objective: HOSTILE_OBJECTIVE,
  status: 'met',
  stopReason: 'met',
  iterations: 1,
  tasks: { total: 5, completed: 5, failed: 0, blocked: 0, cancelled: 0 },
  results: sampleResults,
  verdict: {
    isMet: true,
    reasoning: 'All five tasks completed and their checks passed; the contract matches the backend and the frontend.',
    criteria: [
      { criterion: 'openapi.json documents dueDate', isMet: true, evidence: 'contract check PASSED: 4 endpoints agree' },
      { criterion: 'POST accepts dueDate', isMet: true, evidence: 'node --test → PASSED (# pass 10)' },
    ],
    followUpTasks: [],
    basis: 'model+evidence',
  },
  usage: { inputTokens: 23_800, outputTokens: 3_410, cacheReadTokens: 12_000 },
  costUsd: 0.1234,
  overheadCostUsd: 0.021,
  startedAt: at(0),
  endedAt: at(26),
  durationMs: 26_000,
  cacheHitRate: 0.75,
};

type Payload<K extends OrchestratorEventName> = OrchestratorEventMap[K];

/** The whole event stream of the sample run, in order. */
export function sampleRunEvents(): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  const push = <K extends OrchestratorEventName>(type: K, seconds: number, payload: Payload<K>) => {
    events.push({ type, runId: RUN_ID, seq: events.length + 1, timestamp: at(seconds), ...payload } as unknown as EventEnvelope);
  };
  push('run-start', 0, { objective: HOSTILE_OBJECTIVE, projectDir: '/tmp/todo-app', isResumed: false });
  push('preflight-end', 0.5, {
    report: {
      checks: [
        { id: 'git.repository', label: 'Git repository', status: 'pass', message: 'clean work tree on main' },
        { id: 'provider.installed', label: 'Agent CLI', status: 'pass', message: 'claude 2.1.197' },
        { id: 'config.budget', label: 'Budget', status: 'warn', message: 'no budget set', fix: 'Pass --budget-usd 5' },
      ],
      isPassed: true,
      hasWarnings: true,
    },
  });
  push('plan-start', 1, { iteration: 1, attempt: 1 });
  push('plan-end', 2, { iteration: 1, plan: samplePlan, attempts: 1, usage: { inputTokens: 1500, outputTokens: 400 }, costUsd: 0.011 });
  const starts: Array<[TaskResult, number]> = sampleResults.map((entry) => [entry, (Date.parse(entry.startedAt!) - base) / 1000]);
  const timeline: Array<{ seconds: number; emit: () => void }> = [];
  for (const [entry, seconds] of starts) {
    const task = samplePlan.tasks.find((candidate) => candidate.id === entry.taskId)!;
    timeline.push({
      seconds,
      emit: () => push('task-start', seconds, { taskId: entry.taskId, title: task.title, agent: entry.agent, attempt: 1, slot: entry.slot!, iteration: 1, cwd: `/tmp/todo-app/.qoder-orch/worktrees/${RUN_ID}/${entry.taskId}` }),
    });
    timeline.push({
      seconds: seconds + 1,
      emit: () =>
        push('task-output', seconds + 1, {
          taskId: entry.taskId,
          event: { type: 'tool-call', toolCallId: `t-${entry.taskId}`, toolName: 'Edit', input: { file_path: `/tmp/todo-app/.qoder-orch/worktrees/${RUN_ID}/${entry.taskId}/${task.files[0]}` } },
        }),
    });
    const endSeconds = (Date.parse(entry.endedAt!) - base) / 1000;
    if (entry.attempts > 1) {
      timeline.push({
        seconds: seconds + 4,
        emit: () => push('task-retry', seconds + 4, { taskId: entry.taskId, attempt: 2, delayMs: 1000, error: { name: 'OrchestratorError', code: 'VERIFICATION_FAILED', message: 'node --test failed (exit 1)', isRetryable: true } }),
      });
    }
    timeline.push({ seconds: endSeconds, emit: () => push('task-end', endSeconds, { taskId: entry.taskId, result: entry }) });
  }
  timeline.sort((a, b) => a.seconds - b.seconds).forEach((entry) => entry.emit());
  push('contract-end', 24.5, {
    report: {
      contractSource: 'openapi.json',
      contract: [
        { method: 'GET', path: '/api/todos', origin: 'openapi' },
        { method: 'POST', path: '/api/todos', origin: 'openapi' },
      ],
      backend: [
        { method: 'GET', path: '/api/todos', origin: 'node-http', file: 'src/server.js', line: 30 },
        { method: 'POST', path: '/api/todos', origin: 'node-http', file: 'src/server.js', line: 41 },
      ],
      frontend: [{ method: 'GET', path: '/api/todos', origin: 'fetch', file: 'public/app.js', line: 12 }],
      findings: [{ kind: 'not-in-contract', method: 'DELETE', path: '/api/todos/{id}', file: 'src/server.js', line: 58, message: 'served but not documented', severity: 'warning' }],
      isPassed: true,
    },
  });
  push('judge-end', 25.5, { iteration: 1, verdict: sampleSummary.verdict! });
  push('iteration-end', 25.6, { iteration: 1, completed: 5, failed: 0, blocked: 0, isProgress: true });
  push('run-end', 26, { summary: sampleSummary });
  return events;
}
