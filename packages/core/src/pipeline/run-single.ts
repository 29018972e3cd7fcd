import { OrchestratorError, serializeError } from '@qoder-orch/spec';
import { ProviderError } from '@qoder-orch/spec';
import { conflictInstructions } from '../judge/follow-up-tasks';
import { redactOutput } from '@qoder-orch/spec';
import { retryDelayMs, sleep } from '../shared/retry-policy';
import { buildTaskPrompt, parseAgentReport } from '../orchestrator/task-prompt';
import type { KeptConflict } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import { type TaskResult, TaskResultSchema } from '@qoder-orch/spec';
import type { RunTaskResult } from '@qoder-orch/spec';
import { addUsage, emptyUsage } from '@qoder-orch/spec';
import { redactedError, redactedRunResult } from './agent-output';
import type { PipelineSteps } from './pipeline-steps';
import { isRunStopping } from './run-stopping';
import { failTask, settleTask } from './settle-task';
import { watchSharedDependencies } from './shared-dependencies';

/** The conflicted work, where it is, and that the worktree already has it merged in with markers. */
function conflictNote(conflict: KeptConflict): string {
  return `## Conflicting work to bring in\n${conflictInstructions(conflict.taskId, conflict)}\nYour working directory already has that work merged in: resolve every conflict marker (<<<<<<<, =======, >>>>>>>) in ${conflict.files.join(', ')}, keeping both sides' intent.`;
}

/**
 * One task to its end: checkpoint (via the workspace), context, prompt, the agent through its
 * provider, the task's own verification, the merge; transient provider failures are retried
 * with backoff and jitter after restoring the checkpoint. An agent's claim of success is
 * recorded but never enough: a task whose checks fail is a failed task. `releaseSlot` is called
 * once the work is committed and waits only for its merge.
 */
export async function runSingle(steps: PipelineSteps, task: Task, slot: number, abortSignal: AbortSignal, releaseSlot?: () => void): Promise<TaskResult> {
  const { options, events } = steps;
  const { subagent, provider, callOptions } = steps.agentFor(task.agent);
  const startedAt = new Date();
  let usage = emptyUsage();
  let costUsd = 0;
  let lastError: unknown;
  let previousFailure: string | undefined;
  let contextVersion: string | undefined;
  const maxAttempts = options.retryPolicy.maxAttempts;
  const gate = options.usageLimitGate;
  // Attempts that hit a usage limit: rolled back and not counted against maxAttempts.
  let uncounted = 0;

  const base = (attempts: number): Pick<TaskResult, 'taskId' | 'agent' | 'iteration' | 'attempts' | 'slot' | 'startedAt'> => ({
    taskId: task.id,
    agent: task.agent,
    iteration: options.iteration,
    attempts,
    slot,
    startedAt: startedAt.toISOString(),
  });
  const finish = (result: Omit<TaskResult, 'endedAt' | 'durationMs'>): TaskResult => {
    const endedAt = new Date();
    return TaskResultSchema.parse({ ...result, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - startedAt.getTime(), ...(contextVersion ? { contextVersion } : {}) });
  };

  const resolving = options.workspace.isIsolated ? options.conflictToResolve?.(task) : undefined;
  for (let attempt = 1; attempt - uncounted <= maxAttempts; attempt += 1) {
    if (abortSignal.aborted) break;
    // A provider paused by its usage limit starts nothing new until the limit resets.
    if (gate) {
      try {
        await gate.wait(provider.providerId, abortSignal);
      } catch {
        break;
      }
    }
    let prepared: Awaited<ReturnType<typeof steps.begin>>;
    try {
      prepared = await steps.begin(task, { attempt, slot, abortSignal, ...(resolving ? { mergeBranch: resolving.ref } : {}) });
    } catch (error) {
      // A worktree that could not be made ready (a setup command failed): the task fails with why.
      if (!OrchestratorError.isInstance(error) || error.code !== 'PROVISION_FAILED') throw error;
      const result = finish({ ...base(attempt), status: 'failed', usage, costUsd, error: redactedError(error, options.secretValues) } as TaskResult);
      await steps.saveState(task.id, { status: 'failed', attempts: attempt, result });
      return result;
    }
    const atCheckpoint = prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {};
    const sharedDependencies = await watchSharedDependencies(task.id, prepared);

    let runResult: RunTaskResult;
    try {
      const input = await steps.promptInput(task, { tokenBudget: options.config.semanticSearch.tokenBudget, subagent, abortSignal });
      contextVersion = input.contextVersion;
      const prompt = buildTaskPrompt({
        ...input.prompt,
        ...(previousFailure ? { previousFailure } : {}),
        ...(prepared.linkedDependencies ? { linkedDependencies: prepared.linkedDependencies } : {}),
        ...(prepared.environment?.QODER_ORCH_PORT_RANGE ? { portRange: prepared.environment.QODER_ORCH_PORT_RANGE } : {}),
        ...(resolving ? { preamble: conflictNote(resolving) } : {}),
      });
      runResult = redactedRunResult(
        await provider.doRunTask({
          taskId: task.id,
          runId: options.runId,
          attempt,
          prompt,
          cwd: prepared.cwd,
          timeoutMs: steps.timeoutMs(),
          abortSignal,
          ...callOptions,
          ...(prepared.environment ? { env: prepared.environment } : {}),
          onEvent: steps.relay([task.id], task.id),
        }),
        options.secretValues,
      );
    } catch (error) {
      if (ProviderError.isInstance(error)) {
        usage = addUsage(usage, error.usage);
        costUsd += error.costUsd ?? 0;
        steps.spend([task.id], error.costUsd ?? 0);
      }
      lastError = error;
      // The executor is gone (not the task): the run stops before this attempt counts as failed.
      if (isRunStopping(error) && !abortSignal.aborted) events.emit('stop-run', { taskId: task.id, error });
      const failed = { ...base(attempt), usage, costUsd, error: redactedError(error, options.secretValues), ...atCheckpoint };
      if (abortSignal.aborted) {
        await steps.saveState(task.id, { status: 'cancelled', attempts: attempt, ...atCheckpoint, ...(prepared.worktree ? { worktree: prepared.worktree } : {}) });
        return finish({ ...failed, status: 'cancelled' } as TaskResult);
      }
      if (gate && ProviderError.isInstance(error) && error.code === 'USAGE_LIMIT') {
        // Not the task's failure: roll the attempt back, wait for the reset, try again uncounted.
        gate.hit(error);
        await options.workspace.discard(task, prepared, { isRollback: true, reason: `attempt ${attempt} hit a usage limit` });
        if (prepared.checkpoint) events.emit('rollback', { taskId: task.id, checkpoint: prepared.checkpoint, reason: 'usage limit' });
        uncounted += 1;
        try {
          await gate.wait(error.providerId, abortSignal);
        } catch {
          await steps.saveState(task.id, { status: 'cancelled', attempts: attempt, ...atCheckpoint });
          return finish({ ...failed, status: 'cancelled' } as TaskResult);
        }
        continue;
      }
      const isRetryable = OrchestratorError.isInstance(error) && error.isRetryable && attempt - uncounted < maxAttempts;
      if (ProviderError.isInstance(error) && (error.code === 'RATE_LIMITED' || error.code === 'OVERLOADED')) events.emit('rate-limit', { taskId: task.id, error });
      if (!isRetryable) return failTask(steps, task, prepared, finish({ ...failed, status: 'failed' } as TaskResult));
      const { code, message } = serializeError(error);
      await options.workspace.discard(task, prepared, { isRollback: true, reason: `attempt ${attempt} failed: ${code}` });
      if (prepared.checkpoint) events.emit('rollback', { taskId: task.id, checkpoint: prepared.checkpoint, reason: `retry after ${code}` });
      const delayMs = retryDelayMs(options.retryPolicy, attempt, (error as OrchestratorError).retryAfterMs, options.random);
      events.emit('retry', { taskId: task.id, attempt: attempt + 1, delayMs, error: redactedError(error, options.secretValues) });
      previousFailure = `${code}: ${redactOutput(message, options.secretValues)}`;
      try {
        await sleep(delayMs, abortSignal);
      } catch {
        break;
      }
      continue;
    }

    usage = addUsage(usage, runResult.usage);
    costUsd += runResult.costUsd ?? 0;
    steps.spend([task.id], runResult.costUsd ?? 0);
    const report = parseAgentReport(runResult.summary, runResult.structuredOutput);
    const sharedChange = await sharedDependencies();
    if (sharedChange !== undefined)
      return failTask(
        steps,
        task,
        prepared,
        finish({ ...base(attempt), status: 'failed', usage, costUsd, summary: redactOutput(runResult.summary.slice(0, 4000), options.secretValues), error: serializeError(sharedChange), ...atCheckpoint } as TaskResult),
      );
    return settleTask(steps, { task, prepared, attempt, abortSignal, base: base(attempt), finish, usage, costUsd, output: runResult, report, ...(releaseSlot === undefined ? {} : { onCommitted: releaseSlot }) });
  }
  const error = lastError ?? new OrchestratorError({ code: 'ABORTED', message: 'The task was cancelled before it started.' });
  return finish({ ...base(0), status: 'cancelled', usage, costUsd, error: serializeError(error) } as TaskResult);
}
