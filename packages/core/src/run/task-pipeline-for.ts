import { relative } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import type { ProviderError } from '@qoder-orch/spec';
import { isNamedFor } from '../judge/follow-up-ids';
import { recordPipelineEvents } from '../pipeline/record-pipeline-events';
import { TaskPipeline } from '../pipeline/task-pipeline';
import type { KeptConflict } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import type { TaskResult } from '@qoder-orch/spec';
import type { RunContext } from './run-context';
import { commandDecision } from './run-commands';
import { retryPolicyOf } from './run-policies';

/**
 * The task pipeline for one iteration, built from the run's parts, with its events recorded
 * and its reports acted on: state changes are saved before an agent starts, rate limits halve
 * the scheduler's concurrency and quiet time raises it again, spending counts against the
 * budget, and each finished task is settled by the caller.
 */
export async function taskPipelineFor(run: RunContext, iteration: number, plan: Plan, settle: (result: TaskResult) => unknown): Promise<TaskPipeline> {
  const { state, events, config, options } = run;
  const repository = await run.repository();
  const maxParallel = config.execution.maxParallel;
  const pipeline = new TaskPipeline({
    runId: state.runId,
    objective: state.objective,
    projectDir: run.projectDir,
    config,
    iteration,
    plan,
    provider: options.provider,
    providers: options.providers ?? {},
    subagents: new Map(run.subagents.map((subagent) => [subagent.name, subagent])),
    workspace: run.workspace,
    ...(options.context ? { context: options.context } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.deviations ? { deviations: options.deviations } : {}),
    retryPolicy: retryPolicyOf(config),
    usageLimitGate: run.usageLimitGate,
    secretValues: run.secretValues,
    random: options.random ?? Math.random,
    resultOf: (taskId) => state.tasks[taskId]?.result,
    saveTaskState: async (taskId, change) => {
      const previous = state.tasks[taskId] ?? { status: 'pending', attempts: 0, iteration };
      state.tasks[taskId] = {
        ...previous,
        status: change.status,
        attempts: change.attempts,
        iteration,
        ...(change.checkpoint ? { checkpoint: change.checkpoint } : {}),
        ...(change.worktree ? { worktree: change.worktree } : {}),
        ...(change.result ? { result: change.result } : {}),
      };
      await run.saveState(taskId);
    },
    commandDecision: commandDecision(run),
    conflictToResolve: (task) => conflictResolvedBy(task, state.conflicts ?? []),
    ...(state.testCommand ? { pinnedTestCommand: state.testCommand } : {}),
    ...(repository ? { projectSubdirectory: projectSubdirectory(repository.root, run.projectDir) } : {}),
  });
  recordPipelineEvents(pipeline, events, {
    onFinish: (result) => void settle(result),
    onRateLimit: (error: ProviderError) => {
      run.lastRateLimitAt = Date.now();
      const scheduler = run.scheduler;
      if (scheduler && scheduler.concurrency > 1) scheduler.setConcurrency(Math.max(1, Math.floor(scheduler.concurrency / 2)), `${error.code} from ${error.providerId}`);
    },
    onSuccess: () => {
      const scheduler = run.scheduler;
      if (scheduler && scheduler.concurrency < maxParallel && Date.now() - run.lastRateLimitAt > config.retry.rateLimitCooldownSeconds * 1000) {
        scheduler.setConcurrency(scheduler.concurrency + 1, 'no rate limits lately');
      }
    },
    onSpend: (costUsd) => {
      run.runCost += costUsd;
      const budget = config.execution.budgetUsd;
      if (budget !== undefined && run.runCost >= budget && !run.isBudgetExceeded) {
        run.isBudgetExceeded = true;
        events.emit('warning', { code: 'BUDGET', message: `The run has spent $${run.runCost.toFixed(4)}, over its budget of $${budget}; stopping.` });
        run.controller.abort(new OrchestratorError({ code: 'BUDGET', message: 'The budget is spent.' }));
      }
    },
    appendTranscript: (taskId, text) => {
      void run.store.appendArtifact(state.runId, `tasks/${taskId}.log`, `${new Date().toISOString()} ${text.replace(/\n/g, '\n  ')}\n`).catch(() => {});
    },
    onStopRun: (error) => {
      if (run.signal.aborted) return;
      run.stopError = error;
      events.emit('warning', { code: error.code, message: `${error.message} Stopping the run; it can be resumed.` });
      run.controller.abort(error);
    },
    onSpeculationWasted: (wastedMs) => {
      run.speculation.wastedMs += wastedMs;
    },
  });
  return pipeline;
}

/**
 * The unlanded conflict a task is to resolve: the follow-up named for the conflicted task
 * (`fix-<id>`, `fix-<id>-2`), which the evidence rules create for every unlanded conflict.
 * This only decides which kept ref is merged into the task's worktree; whether the work
 * landed is measured afterwards from git.
 */
function conflictResolvedBy(task: Task, conflicts: readonly KeptConflict[]): KeptConflict | undefined {
  return conflicts.find((conflict) => !conflict.isLanded && isNamedFor(task.id, conflict.taskId));
}

function projectSubdirectory(root: string, projectDir: string): string {
  const inside = relative(root, projectDir).split('\\').join('/');
  return inside.startsWith('..') ? '' : inside;
}
