import { redactOutput, serializeError } from '@qoder-orch/spec';
import { ProviderError } from '@qoder-orch/spec';
import { buildTaskPrompt, parseAgentReport } from '../orchestrator/task-prompt';
import { filesOverlap } from '@qoder-orch/spec';
import type { ExecutionContext } from '../scheduler/task-executor';
import type { Task } from '@qoder-orch/spec';
import { type TaskResult, TaskResultSchema } from '@qoder-orch/spec';
import type { RunTaskResult } from '@qoder-orch/spec';
import { readPaths, redactedRunResult } from './agent-output';
import type { PipelineSteps } from './pipeline-steps';
import { noteFailedAgentCall } from './run-stopping';
import { failTask, settleTask } from './settle-task';
import { watchSharedDependencies } from './shared-dependencies';

/** What speculative work read or wrote, checked against what its dependencies changed. */
export interface SpeculativeFootprint {
  declared: readonly string[];
  read: readonly string[];
  written: readonly string[];
}

/** The dependency changes that touch what speculative work read or wrote. */
export function speculationConflicts(footprint: SpeculativeFootprint, dependencyChanges: readonly string[]): string[] {
  const touched = [...footprint.declared, ...footprint.read, ...footprint.written];
  return dependencyChanges.filter((changed) => touched.some((pattern) => pattern === '.' || filesOverlap([pattern], [changed])));
}

/** Work done ahead of its dependencies: kept (a result), or thrown away for a normal rerun. */
export interface HeldWork {
  confirm(context: ExecutionContext): Promise<TaskResult | 'rerun'>;
  abandon(): Promise<void>;
}

/**
 * Speculative execution: the agent's part of a task whose dependencies are still running, in
 * its own worktree from the current integration head, with a prompt that says they are still
 * being done. The work is held until they finish; `confirm` keeps it (merge, then the task's
 * checks after the merge) when nothing they changed touches what it read or wrote, and
 * otherwise throws it away for a normal rerun.
 */
export async function speculate(steps: PipelineSteps, task: Task, slot: number, abortSignal: AbortSignal): Promise<HeldWork> {
  const { options, events } = steps;
  const { subagent, provider, callOptions } = steps.agentFor(task.agent);
  const startedAt = new Date();
  await options.usageLimitGate?.wait(provider.providerId, abortSignal);
  const prepared = await steps.begin(task, { attempt: 1, slot, abortSignal, isSpeculative: true });
  const read = new Set<string>();
  // As for any task: an install through a link to the user's checkout is caught, speculative or not.
  const sharedDependencies = await watchSharedDependencies(task.id, prepared);
  const throwAway = async (reason: string) => {
    await options.workspace.discard(task, prepared, { isRollback: true, reason }).catch(() => undefined);
    events.emit('speculation-discarded', { taskId: task.id, wastedMs: Date.now() - startedAt.getTime(), reason });
    await steps.saveState(task.id, { status: 'pending', attempts: 0 });
  };
  let runResult: RunTaskResult;
  try {
    const input = await steps.promptInput(task, { tokenBudget: options.config.semanticSearch.tokenBudget, subagent, abortSignal, isSpeculative: true });
    const prompt = buildTaskPrompt({
      ...input.prompt,
      ...(prepared.linkedDependencies ? { linkedDependencies: prepared.linkedDependencies } : {}),
      ...(prepared.environment?.QODER_ORCH_PORT_RANGE ? { portRange: prepared.environment.QODER_ORCH_PORT_RANGE } : {}),
    });
    const onEvent = steps.relay([task.id], task.id, (event) => {
      for (const path of readPaths(event, prepared.cwd)) read.add(path);
    });
    runResult = await provider.doRunTask({
      taskId: task.id,
      runId: options.runId,
      attempt: 1,
      prompt,
      cwd: prepared.cwd,
      timeoutMs: steps.timeoutMs(),
      abortSignal,
      ...callOptions,
      ...(prepared.environment ? { env: prepared.environment } : {}),
      onEvent,
    });
  } catch (error) {
    if (ProviderError.isInstance(error)) steps.spend([task.id], error.costUsd ?? 0);
    noteFailedAgentCall(error, { taskId: task.id, abortSignal, usageLimitGate: options.usageLimitGate, emitStop: (stop) => events.emit('stop-run', stop) });
    await throwAway(`speculation failed: ${serializeError(error).code}`);
    throw error;
  }
  steps.spend([task.id], runResult.costUsd ?? 0);
  const output = redactedRunResult(runResult, options.secretValues);
  const written = await options.workspace.changedFiles(prepared).catch(() => [] as string[]);
  const sharedChange = await sharedDependencies();
  return {
    confirm: async ({ abortSignal: confirmSignal }) => {
      const base = { taskId: task.id, agent: task.agent, iteration: options.iteration, attempts: 1, slot, startedAt: startedAt.toISOString() };
      const finish = (result: Omit<TaskResult, 'endedAt' | 'durationMs'>): TaskResult => {
        const endedAt = new Date();
        return TaskResultSchema.parse({ ...result, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - startedAt.getTime() });
      };
      // The user's checkout changed (or the task's work rests on an install of its own): a rerun would not undo it, the task fails as a normal one does.
      if (sharedChange !== undefined) {
        const checkpoint = prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {};
        const summary = redactOutput(output.summary.slice(0, 4000), options.secretValues);
        return failTask(steps, task, prepared, finish({ ...base, status: 'failed', usage: output.usage, costUsd: output.costUsd ?? 0, summary, error: serializeError(sharedChange), ...checkpoint } as TaskResult));
      }
      const dependencyChanges = task.dependsOn.flatMap((id) => options.resultOf?.(id)?.filesChanged ?? []);
      const conflicts = speculationConflicts({ declared: task.files, read: [...read], written }, dependencyChanges);
      if (conflicts.length > 0) {
        events.emit('warning', { code: 'SPECULATION_DISCARDED', message: `Speculative work on ${task.id} is discarded: its dependencies changed ${conflicts.slice(0, 5).join(', ')}, which it read or wrote.` });
        await throwAway('dependencies changed what it used');
        return 'rerun';
      }
      return settleTask(steps, {
        task,
        prepared,
        attempt: 1,
        abortSignal: confirmSignal,
        base,
        finish,
        usage: output.usage,
        costUsd: output.costUsd ?? 0,
        output,
        report: parseAgentReport(output.summary, output.structuredOutput),
        isOwnTreeCheckSkipped: true,
      });
    },
    abandon: () => throwAway('a dependency failed or the run stopped'),
  };
}
