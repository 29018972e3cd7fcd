import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, Planner, Scheduler, TaskPipeline, builtinSubagents, createGitWorkspace, type Plan, type ScheduleResult, type TaskPipelineEvents, type TaskResult } from '@qoder-orch/core';
import { MockAgentProvider } from '@qoder-orch/core/test';

/** What the scripted "model" plans: a contract, then both sides in parallel, then a check of both. */
const PLAN = {
  summary: 'Contract first, then both sides in parallel, then a check.',
  tasks: [
    { id: 'contract', title: 'Write the API contract', agent: 'architect', files: ['openapi.json'], estimateMinutes: 5 },
    { id: 'backend', title: 'Serve GET /health', agent: 'backend-dev', dependsOn: ['contract'], files: ['server.js'], estimateMinutes: 10 },
    { id: 'frontend', title: 'Call GET /health', agent: 'frontend-dev', dependsOn: ['contract'], files: ['client.js'], estimateMinutes: 8 },
    { id: 'check', title: 'Check both sides agree', agent: 'qa-agent', dependsOn: ['backend', 'frontend'], files: ['check.js'], verify: [['node', 'check.js']], estimateMinutes: 5 },
  ],
};

const report = (file: string) => `Done.\n\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: `wrote ${file}`, filesChanged: [file] })}\n\`\`\``;

const CHECK = [
  "import { readFileSync } from 'node:fs';",
  "const server = readFileSync('server.js', 'utf8');",
  "const client = readFileSync('client.js', 'utf8');",
  "if (!server.includes('GET /health') || !client.includes(\"'/health'\")) { console.error('mismatch'); process.exit(1); }",
  "console.log('frontend and backend agree on /health');",
  '',
].join('\n');

/** The scripted agent: answers the planner with PLAN, and writes each task's file as an agent would. */
function scriptedProvider(): MockAgentProvider {
  return new MockAgentProvider({
    complete: [`Here is the plan:\n\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\``],
    runTask: {
      contract: [{ type: 'success', files: { 'openapi.json': '{"paths":{"/health":{"get":{}}}}\n' }, text: report('openapi.json') }],
      backend: [{ type: 'success', delayMs: 30, files: { 'server.js': "export const routes = { 'GET /health': () => ({ ok: true }) };\n" }, text: report('server.js') }],
      frontend: [{ type: 'success', delayMs: 20, files: { 'client.js': "export const health = () => fetch('/health');\n" }, text: report('client.js') }],
      check: [{ type: 'success', files: { 'check.js': CHECK }, text: report('check.js') }],
    },
  });
}

/** A pipeline event as heard: its name and payload. */
export type HeardEvent = { [K in keyof TaskPipelineEvents]: { name: K; payload: TaskPipelineEvents[K][0] } }[keyof TaskPipelineEvents];

/** What the Planner and the Scheduler said, in order: `planner:plan`, `scheduler:task-start:contract`, … */
export type PrimitiveEvent = string;

export interface ComposeResult {
  plan: Plan;
  /** The Planner's and the Scheduler's own events, as `<primitive>:<event>[:<task>]`. */
  primitiveEvents: PrimitiveEvent[];
  schedule: ScheduleResult;
  results: Map<string, TaskResult>;
  events: HeardEvent[];
  projectDir: string;
  /** Removes the temporary repository and its worktrees. */
  cleanup(): Promise<void>;
}

const HEARD: Array<keyof TaskPipelineEvents> = ['task-start', 'attempt', 'checkpoint', 'output', 'retry', 'rollback', 'spend', 'verify', 'merge', 'task-finish', 'warning'];

/**
 * Plans "Add a health endpoint" with the Planner, then runs the plan with a Scheduler whose
 * executor is a TaskPipeline: each task in its own git worktree, checked by the pipeline and
 * merged back, in a real repository in the temp folder. No Orchestrator: no run store, no judge.
 */
export async function composePrimitives(options: { onEvent?: (event: HeardEvent) => void } = {}): Promise<ComposeResult> {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-compose-'));
  const worktreeRoot = `${projectDir}-worktrees`;
  await writeFile(join(projectDir, 'README.md'), '# health demo\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Example', '-c', 'user.email=example@example.com', ...args], { cwd: projectDir, stdio: 'pipe' });
  git('init', '-q', '--initial-branch=main');
  git('add', '-A');
  git('commit', '-q', '-m', 'start');
  const cleanup = async () => {
    await rm(projectDir, { recursive: true, force: true });
    await rm(worktreeRoot, { recursive: true, force: true });
  };

  const provider = scriptedProvider();
  const objective = 'Add a health endpoint that the frontend calls';
  const subagents = builtinSubagents();
  const primitiveEvents: PrimitiveEvent[] = [];
  const planner = new Planner({ provider, subagents, cwd: projectDir });
  planner.on('attempt', ({ attempt }) => primitiveEvents.push(`planner:attempt:${attempt}`));
  planner.on('plan', ({ plan }) => primitiveEvents.push(`planner:plan:${plan.tasks.length}`));
  const { plan } = await planner.plan({ objective });

  const workspace = createGitWorkspace({ projectDir, isolation: 'worktree', worktreeRoot, linkDependencies: false });
  await workspace.begin({ runId: 'compose-example', isResume: false, allowDirty: false });
  const results = new Map<string, TaskResult>();
  const pipeline = new TaskPipeline({
    provider,
    subagents: new Map(subagents.map((subagent) => [subagent.name, subagent])),
    workspace,
    projectDir,
    objective,
    plan,
    runId: 'compose-example',
    config: ConfigSchema.parse({}),
    // What earlier tasks did goes into the prompts of the tasks that depend on them.
    resultOf: (taskId) => results.get(taskId),
  });
  const events: HeardEvent[] = [];
  for (const name of HEARD) {
    pipeline.on(name, (...args: unknown[]) => {
      const event = { name, payload: args[0] } as HeardEvent;
      events.push(event);
      options.onEvent?.(event);
    });
  }
  pipeline.on('task-finish', ({ result }) => results.set(result.taskId, result));

  const scheduler = new Scheduler({ maxParallel: 2, executor: pipeline });
  scheduler.on('task-start', ({ taskId }) => primitiveEvents.push(`scheduler:task-start:${taskId}`));
  scheduler.on('task-finish', ({ taskId, status }) => primitiveEvents.push(`scheduler:task-finish:${taskId}:${status}`));
  scheduler.on('idle', () => primitiveEvents.push('scheduler:idle'));
  try {
    const running = scheduler.run(plan.tasks);
    // Like p-queue's onIdle(): resolves once nothing is running or queued.
    await scheduler.onIdle();
    const schedule = await running;
    await workspace.end({ isSuccess: [...schedule.outcomes.values()].every((outcome) => outcome === 'completed') });
    return { plan, primitiveEvents, schedule, results, events, projectDir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
