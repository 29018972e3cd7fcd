import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LLMProviderV1, MemoryRunStore, type RunSummary, type Task, TaskSchema, builtinSubagents, createOrchestrator } from '@qoder-orch/core';
import { type Benchmark, compare, fixed, table } from '../harness';
import { planAnswer } from '../orchestrator-setup';

/** What one agent invocation costs in this simulation (measured for Claude Code against a local server: ~0.46 s per run). */
const STARTUP_MS = 400;
const WORK_MS_PER_TASK = 150;
/** Tokens every invocation pays again (system prompt, project rules, context), and per task. */
const FIXED_INPUT_TOKENS = 6_000;
const TASK_INPUT_TOKENS = 800;
const TASK_OUTPUT_TOKENS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An agent whose invocation costs a start-up plus work per task, and whose input tokens are a
 * fixed part (repeated per invocation) plus a part per task: what batching saves.
 */
function simulatedAgent(tasks: readonly Task[], counter: { invocations: number }): LLMProviderV1 {
  const plan = planAnswer(tasks);
  const accept = JSON.stringify({ isMet: true, reasoning: 'ok' });
  return {
    specificationVersion: 'v1',
    providerId: 'simulated',
    doComplete: async (options) => ({ text: options.purpose === 'judge' ? accept : plan, usage: { inputTokens: 0, outputTokens: 0 } }),
    doRunTask: async (options) => {
      counter.invocations += 1;
      const ids = options.taskId.split('+');
      await sleep(STARTUP_MS + WORK_MS_PER_TASK * ids.length);
      const results = ids.map((taskId) => ({ taskId, status: 'success', summary: `did ${taskId}` }));
      const text = ids.length > 1 ? `\`\`\`json\n${JSON.stringify({ results })}\n\`\`\`` : `\`\`\`json\n${JSON.stringify(results[0])}\n\`\`\``;
      return {
        summary: text,
        usage: { inputTokens: FIXED_INPUT_TOKENS + TASK_INPUT_TOKENS * ids.length, outputTokens: TASK_OUTPUT_TOKENS * ids.length },
        durationMs: 0,
      };
    },
  };
}

/** Small independent tasks of a few subagents, each with its own file. */
function smallTasks(count: number): Task[] {
  const agents = ['backend-dev', 'frontend-dev', 'qa-agent'];
  return Array.from({ length: count }, (_, index) => TaskSchema.parse({ id: `t${index}`, title: `Small change ${index}`, agent: agents[index % agents.length], files: [`src/f${index}.ts`], estimateMinutes: 3 }));
}

async function runPlan(tasks: readonly Task[], isBatching: boolean): Promise<{ summary: RunSummary; invocations: number }> {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-batch-'));
  const counter = { invocations: 0 };
  try {
    const orchestrator = createOrchestrator({
      projectDir,
      provider: simulatedAgent(tasks, counter),
      runStore: new MemoryRunStore(),
      subagents: builtinSubagents(),
      durationHistory: false,
      specsDirectory: false,
      judge: { judge: async () => ({ verdict: { isMet: true, reasoning: 'ok', criteria: [], followUpTasks: [], basis: 'evidence' }, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 }) },
      config: { execution: { maxParallel: 3, maxIterations: 1, isolation: 'shared', enableBatchProcessing: isBatching, batchMaxTasks: 4 } },
    });
    const summary = await orchestrator.run('Many small changes');
    if (summary.status !== 'met' || summary.tasks.completed !== tasks.length) throw new Error(`run did not complete: ${JSON.stringify(summary.tasks)}`);
    return { summary, invocations: counter.invocations };
  } finally {
    await rm(projectDir, { recursive: true, force: true });
  }
}

export const batching: Benchmark = {
  name: 'batching',
  description: 'Batched against unbatched runs of the same plan of small tasks: agent invocations, wall time, input tokens.',
  async run({ isQuick, log }) {
    const sizes = isQuick ? [12] : [12, 24, 48];
    log(`Simulated agent: ${STARTUP_MS} ms start-up + ${WORK_MS_PER_TASK} ms per task; ${FIXED_INPUT_TOKENS} input tokens per invocation + ${TASK_INPUT_TOKENS} per task.`);
    log('3 slots, shared tree, batches of up to 4 tasks of one subagent. Baseline: the same plan unbatched.');
    const rows: string[][] = [];
    for (const size of sizes) {
      const tasks = smallTasks(size);
      let unbatched: Awaited<ReturnType<typeof runPlan>> | undefined;
      let batched: Awaited<ReturnType<typeof runPlan>> | undefined;
      const result = await compare(
        async () => {
          unbatched = await runPlan(tasks, false);
        },
        async () => {
          batched = await runPlan(tasks, true);
        },
        { warmup: 0, runs: isQuick ? 1 : 3 },
      );
      rows.push([
        `${size} small tasks`,
        `${unbatched!.invocations} → ${batched!.invocations}`,
        fixed(batched!.invocations / unbatched!.invocations, 2),
        `${fixed(result.baseline.medianMs / 1000, 1)} → ${fixed(result.subject.medianMs / 1000, 1)}`,
        fixed(result.ratio, 2),
        `${unbatched!.summary.usage.inputTokens} → ${batched!.summary.usage.inputTokens}`,
        fixed(batched!.summary.usage.inputTokens / unbatched!.summary.usage.inputTokens, 2),
      ]);
    }
    log(table(['plan', 'invocations', 'ratio', 'wall s', 'ratio', 'input tokens', 'ratio'], rows));
  },
};
