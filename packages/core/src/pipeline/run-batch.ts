import { serializeError } from '@qoder-orch/spec';
import { ProviderError } from '@qoder-orch/spec';
import type { PreparedTask } from '../git/task-workspace';
import { buildBatchPrompt, parseBatchReport, type TaskPromptInput } from '../orchestrator/task-prompt';
import type { Task } from '@qoder-orch/spec';
import { type TaskResult, TaskResultSchema } from '@qoder-orch/spec';
import type { RunTaskResult } from '@qoder-orch/spec';
import type { Usage } from '@qoder-orch/spec';
import { redactedRunResult } from './agent-output';
import type { PipelineSteps } from './pipeline-steps';
import { noteFailedAgentCall } from './run-stopping';
import { settleTask } from './settle-task';

/**
 * Batch processing: several small tasks of one subagent, with disjoint files, in one agent
 * invocation (one prompt listing them, one structured result per task). Each task keeps its
 * own checkpoint, verification, commit and result; spend is shared equally. When the one
 * invocation fails, every task is run on its own (`runOne`, with its own retries).
 */
export async function runBatch(steps: PipelineSteps, tasks: readonly Task[], slot: number, abortSignal: AbortSignal, runOne: (task: Task) => Promise<TaskResult>): Promise<TaskResult[]> {
  const { options, events } = steps;
  const head = tasks[0]!;
  const ids = tasks.map((task) => task.id);
  // A batch runs several tasks: the subagent's turn limit is for one.
  const { subagent, provider, callOptions } = steps.agentFor(head.agent, { isTurnLimited: false });
  const startedAt = new Date();
  // A provider paused by its usage limit starts nothing new until it resets (an abort ends the wait: the tasks run one by one and are cancelled there).
  await options.usageLimitGate?.wait(provider.providerId, abortSignal).catch(() => undefined);
  const prepared: PreparedTask[] = [];
  for (const task of tasks) prepared.push(await steps.begin(task, { attempt: 1, slot, abortSignal }));
  const versions = new Map<string, string>();
  let runResult: RunTaskResult;
  try {
    const inputs: TaskPromptInput[] = [];
    for (const task of tasks) {
      const input = await steps.promptInput(task, { tokenBudget: Math.ceil(options.config.semanticSearch.tokenBudget / tasks.length), subagent, abortSignal });
      if (input.contextVersion) versions.set(task.id, input.contextVersion);
      inputs.push(input.prompt);
    }
    runResult = await provider.doRunTask({
      taskId: ids.join('+').slice(0, 200),
      // Named by run, tasks and attempt: a remote executor's job for the batch is found again after a resume.
      runId: options.runId,
      attempt: 1,
      prompt: buildBatchPrompt(inputs),
      cwd: prepared[0]!.cwd,
      timeoutMs: steps.timeoutMs(tasks.length),
      abortSignal,
      ...callOptions,
      ...(prepared[0]!.environment ? { env: prepared[0]!.environment } : {}),
      onEvent: steps.relay(ids, head.id),
    });
  } catch (error) {
    if (ProviderError.isInstance(error)) steps.spend(ids, error.costUsd ?? 0);
    noteFailedAgentCall(error, { taskId: head.id, abortSignal, usageLimitGate: options.usageLimitGate, emitStop: (stop) => events.emit('stop-run', stop) });
    for (const [index, task] of tasks.entries()) {
      await options.workspace.discard(task, prepared[index]!, { isRollback: true, reason: 'the batch invocation failed' }).catch(() => undefined);
    }
    if (abortSignal.aborted) {
      return tasks.map((task) => TaskResultSchema.parse({ taskId: task.id, agent: task.agent, iteration: options.iteration, status: 'cancelled', attempts: 1, slot, startedAt: startedAt.toISOString(), error: serializeError(error) }));
    }
    events.emit('warning', { code: 'BATCH_FAILED', message: `The batch ${ids.join(', ')} failed (${serializeError(error).code}); running its tasks one by one.` });
    const results: TaskResult[] = [];
    for (const task of tasks) results.push(await runOne(task));
    return results;
  }
  steps.spend(ids, runResult.costUsd ?? 0);
  runResult = redactedRunResult(runResult, options.secretValues);
  const reports = parseBatchReport(runResult.summary, runResult.structuredOutput);
  const share = 1 / tasks.length;
  const usageShare: Usage = { inputTokens: Math.round(runResult.usage.inputTokens * share), outputTokens: Math.round(runResult.usage.outputTokens * share) };
  const costShare = (runResult.costUsd ?? 0) * share;
  // Tasks with declared files commit first, so a task without any cannot take their changes.
  const order = tasks.map((task, index) => ({ task, index })).sort((a, b) => Number(a.task.files.length === 0) - Number(b.task.files.length === 0));
  const results: TaskResult[] = new Array(tasks.length);
  for (const { task, index } of order) {
    const report = reports.get(task.id) ?? { status: 'failure' as const, summary: 'The agent did not report on this task in its batch answer.' };
    const version = versions.get(task.id);
    const finish = (result: Omit<TaskResult, 'endedAt' | 'durationMs'>): TaskResult => {
      const endedAt = new Date();
      return TaskResultSchema.parse({ ...result, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - startedAt.getTime(), ...(version ? { contextVersion: version } : {}) });
    };
    results[index] = await settleTask(steps, {
      task,
      prepared: prepared[index]!,
      attempt: 1,
      abortSignal,
      base: { taskId: task.id, agent: task.agent, iteration: options.iteration, attempts: 1, slot, startedAt: startedAt.toISOString() },
      finish,
      usage: usageShare,
      costUsd: costShare,
      output: { summary: report.summary ?? runResult.summary, ...(runResult.sessionId ? { sessionId: runResult.sessionId } : {}) },
      report,
    });
  }
  return results;
}
