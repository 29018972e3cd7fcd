import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type LLMProviderV1, MemoryRunStore, type RunSummary, type Task, TaskSchema, builtinSubagents, createOrchestrator } from '@qoder-orch/core';
import { type Benchmark, fixed, median, table } from '../harness';
import { planAnswer } from '../orchestrator-setup';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Scenario {
  name: string;
  tasks: Task[];
  /** Simulated agent time per task, ms. */
  durations: Record<string, number>;
  /** Files each task writes (relative); a speculative task that writes its dependency's file must be rerun. */
  writes: Record<string, string[]>;
}

const task = (id: string, agent: string, dependsOn: string[], files: string[], estimateMinutes: number) => TaskSchema.parse({ id, title: id, agent, dependsOn, files, estimateMinutes });

const SCENARIOS: Scenario[] = [
  {
    name: 'contract → backend, frontend → tests (independent files)',
    tasks: [
      task('contract', 'architect', [], ['openapi.yaml'], 20),
      task('backend', 'backend-dev', ['contract'], ['server/**'], 20),
      task('frontend', 'frontend-dev', ['contract'], ['web/**'], 20),
      task('tests', 'qa-agent', ['backend', 'frontend'], ['tests/**'], 10),
    ],
    durations: { contract: 1500, backend: 1500, frontend: 1500, tests: 600 },
    writes: { contract: ['openapi.yaml'], backend: ['server/app.js'], frontend: ['web/app.js'], tests: ['tests/app.test.js'] },
  },
  {
    name: 'same plan, but the backend also edits the contract (a wrong guess)',
    tasks: [
      task('contract', 'architect', [], ['openapi.yaml'], 20),
      task('backend', 'backend-dev', ['contract'], ['server/**'], 20),
      task('frontend', 'frontend-dev', ['contract'], ['web/**'], 20),
      task('tests', 'qa-agent', ['backend', 'frontend'], ['tests/**'], 10),
    ],
    durations: { contract: 1500, backend: 1500, frontend: 1500, tests: 600 },
    writes: { contract: ['openapi.yaml'], backend: ['server/app.js', 'openapi.yaml'], frontend: ['web/app.js'], tests: ['tests/app.test.js'] },
  },
];

function simulatedAgent(scenario: Scenario): LLMProviderV1 {
  const plan = planAnswer(scenario.tasks);
  const attempts = new Map<string, number>();
  return {
    specificationVersion: 'v1',
    providerId: 'simulated',
    doComplete: async () => ({ text: plan, usage: { inputTokens: 0, outputTokens: 0 } }),
    doRunTask: async (options) => {
      const attempt = (attempts.get(options.taskId) ?? 0) + 1;
      attempts.set(options.taskId, attempt);
      await sleep(scenario.durations[options.taskId] ?? 500);
      // A rerun knows better than the guess: it keeps to its own files.
      const files = attempt === 1 ? (scenario.writes[options.taskId] ?? []) : (scenario.writes[options.taskId] ?? []).filter((file) => !file.endsWith('openapi.yaml') || options.taskId === 'contract');
      for (const file of files) {
        await mkdir(dirname(join(options.cwd, file)), { recursive: true });
        await writeFile(join(options.cwd, file), `${options.taskId} attempt ${attempt}\n`);
      }
      return { summary: '```json\n{"status":"success"}\n```', usage: { inputTokens: 1000, outputTokens: 200 }, durationMs: 0 };
    },
  };
}

async function runScenario(scenario: Scenario, isSpeculative: boolean): Promise<{ summary: RunSummary; wallMs: number }> {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-spec-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: projectDir, env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  try {
    git('init', '-q', '--initial-branch=main');
    await writeFile(join(projectDir, 'README.md'), '# bench\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    const orchestrator = createOrchestrator({
      projectDir,
      provider: simulatedAgent(scenario),
      runStore: new MemoryRunStore(),
      subagents: builtinSubagents(),
      durationHistory: false,
      specsDirectory: false,
      judge: { judge: async () => ({ verdict: { isMet: true, reasoning: 'ok', criteria: [], followUpTasks: [], basis: 'evidence' }, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 }) },
      config: { execution: { maxParallel: 3, maxIterations: 1, isolation: 'worktree', enableSpeculative: isSpeculative } },
    });
    const startedAt = Date.now();
    const summary = await orchestrator.run('Build the feature');
    const wallMs = Date.now() - startedAt;
    if (summary.status !== 'met') throw new Error(`run did not complete: ${JSON.stringify(summary.tasks)} ${summary.error?.message ?? ''}`);
    return { summary, wallMs };
  } finally {
    await rm(projectDir, { recursive: true, force: true });
  }
}

export const speculation: Benchmark = {
  name: 'speculation',
  description: 'Speculative against non-speculative runs of the same plan in real git worktrees: makespan and wasted agent time.',
  async run({ isQuick, log }) {
    const runs = isQuick ? 1 : 3;
    log(`Real git repository and worktrees, 3 slots; simulated agent times (1.5 s per task, 0.6 s for tests). Median of ${runs} runs each, alternating.`);
    const rows: string[][] = [];
    for (const scenario of SCENARIOS) {
      const plain: number[] = [];
      const speculative: number[] = [];
      let last: RunSummary | undefined;
      for (let index = 0; index < runs; index += 1) {
        plain.push((await runScenario(scenario, false)).wallMs);
        const result = await runScenario(scenario, true);
        speculative.push(result.wallMs);
        last = result.summary;
      }
      const stats = last!.speculation;
      rows.push([
        scenario.name,
        fixed(median(plain) / 1000, 2),
        fixed(median(speculative) / 1000, 2),
        fixed(median(speculative) / median(plain), 2),
        `${stats?.started ?? 0}/${stats?.kept ?? 0}/${stats?.rerun ?? 0}`,
        fixed((stats?.wastedMs ?? 0) / 1000, 2),
      ]);
    }
    log(table(['plan', 'makespan s', 'speculative s', 'ratio', 'started/kept/rerun', 'wasted agent s'], rows));
  },
};
