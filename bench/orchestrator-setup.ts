import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LLMProviderV1, FileRunStore, type Judge, MemoryRunStore, type RunSummary, type Task, builtinSubagents, createOrchestrator } from '@qoder-orch/core';
import { MockAgentProvider } from '@qoder-orch/core/test';

const met = JSON.stringify({ isMet: true, reasoning: 'All checks passed.', criteria: [] });

/** The planner's answer for a plan of these tasks, as a model would give it (a fenced JSON block). */
export function planAnswer(tasks: readonly Task[]): string {
  const plan = {
    summary: 'benchmark plan',
    tasks: tasks.map((task) => ({ id: task.id, title: task.title, agent: task.agent, dependsOn: task.dependsOn, files: task.files, estimateMinutes: task.estimateMinutes })),
  };
  return `\`\`\`json\n${JSON.stringify(plan)}\n\`\`\``;
}

/** A provider that plans `tasks`, judges "met", and answers `doRunTask` with `runTask` (instant success by default). */
export function scriptedProvider(tasks: readonly Task[], runTask?: LLMProviderV1['doRunTask']): LLMProviderV1 {
  const answer = planAnswer(tasks);
  const mock = new MockAgentProvider({ complete: (options) => (options.purpose === 'judge' ? met : answer) });
  if (!runTask) return mock;
  return { specificationVersion: 'v1', providerId: 'bench', doComplete: (options) => mock.doComplete(options), doRunTask: runTask };
}

/**
 * One full orchestrator run (plan → run every task → judge) in a fresh empty directory with a
 * MemoryRunStore (or the default FileRunStore in that directory), the directory workspace
 * and the builtin subagents. Throws unless every
 * task completed and the objective was met.
 *
 * `followUps`: plans beyond the planner's cap of 500 tasks, through the public API: a judge
 * that answers "not met" with the next batch as follow-up tasks, iteration after iteration,
 * then "met".
 */
export async function runOrchestrator(tasks: readonly Task[], provider: LLMProviderV1, maxParallel: number, store: 'memory' | 'file' = 'memory', followUps: ReadonlyArray<readonly Task[]> = []): Promise<RunSummary> {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-'));
  try {
    const orchestrator = createOrchestrator({
      projectDir,
      provider,
      runStore: store === 'memory' ? new MemoryRunStore() : new FileRunStore({ directory: join(projectDir, '.qoder-orch', 'runs') }),
      subagents: builtinSubagents(),
      random: () => 0.5,
      config: { execution: { maxParallel: maxParallel, maxIterations: 1 + followUps.length } },
      // The evidence judge rightly refuses "met" without a check; overhead is measured with a
      // judge that accepts the completed tasks.
      judge: followUpJudge(followUps),
    });
    const summary = await orchestrator.run('Benchmark objective');
    const total = tasks.length + followUps.reduce((sum, batch) => sum + batch.length, 0);
    if (summary.status !== 'met' || summary.tasks.completed !== total) {
      throw new Error(`orchestrator run did not complete: ${JSON.stringify({ status: summary.status, stopReason: summary.stopReason, tasks: summary.tasks, error: summary.error })}`);
    }
    return summary;
  } finally {
    await rm(projectDir, { recursive: true, force: true });
  }
}

/** A judge that hands `followUps` over batch by batch as "not met", then says "met" (no model call, no checks). */
export function followUpJudge(followUps: ReadonlyArray<readonly Task[]>): Judge {
  return {
    async judge({ iteration }) {
      const next = followUps[iteration - 1];
      const verdict = next
        ? { isMet: false, reasoning: 'More to do.', criteria: [], followUpTasks: [...next], basis: 'model+evidence' as const }
        : { isMet: true, reasoning: 'Done.', criteria: [], followUpTasks: [], basis: 'model+evidence' as const };
      return { verdict, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };
    },
  };
}

/** Runs `count` calls of `call` with at most `width` at once: the "no orchestration" baseline. */
export async function pool(count: number, width: number, call: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}
