import type { RunState } from '../run-store/run-state';
import { RunSummarySchema, type RunSummary, type StopReason } from '@qoder-orch/spec';
import type { TaskResult } from '@qoder-orch/spec';
import { addUsage } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import type { OrchestratorOptions } from '../orchestrator/orchestrator-options';
import { spendByProvider } from './provider-spend';

export interface SummaryExtras {
  stopReason: StopReason;
  endedAt: string;
  cacheHitRate?: number;
  speculation?: RunSummary['speculation'];
  error?: { code: string; message: string };
  isCheckChangeAccepted?: boolean;
  /** The id of the provider that runs an agent's tasks; without it the summary has no `providers`. */
  taskProviderOf?: (agent: string) => string;
}

/** The id of the provider that runs `agent`'s tasks: the subagent's own provider when it names one, else the run's. */
export function taskProviderOf(options: Pick<OrchestratorOptions, 'provider' | 'providers'>, subagents: readonly SubagentDefinition[]): (agent: string) => string {
  return (agent) => {
    const named = subagents.find((subagent) => subagent.name === agent)?.provider;
    return ((named ? options.providers?.[named] : undefined) ?? options.provider).providerId;
  };
}

/** The RunSummary of a run state: every task's latest result, counts, spend and timing. */
export function buildRunSummary(state: RunState, extras: SummaryExtras): RunSummary {
  const results: TaskResult[] = [];
  for (const plan of state.plans) {
    for (const task of plan.tasks) {
      const taskState = state.tasks[task.id];
      if (!taskState) continue;
      results.push(
        taskState.result ?? {
          taskId: task.id,
          agent: task.agent,
          iteration: taskState.iteration,
          status: taskState.status,
          attempts: taskState.attempts,
          durationMs: 0,
          summary: '',
          agentClaimedSuccess: false,
          usage: { inputTokens: 0, outputTokens: 0 },
          costUsd: 0,
          verification: [],
          filesChanged: [],
        },
      );
    }
  }
  const count = (status: TaskResult['status']) => results.filter((result) => result.status === status).length;
  let usage = state.overheadUsage;
  let taskCost = 0;
  for (const result of results) {
    usage = addUsage(usage, result.usage);
    taskCost += result.costUsd;
  }
  const status = extras.stopReason === 'met' ? 'met' : extras.stopReason === 'cancelled' || extras.stopReason === 'usage-limit' ? 'cancelled' : extras.stopReason === 'error' ? 'failed' : 'not-met';
  return RunSummarySchema.parse({
    runId: state.runId,
    objective: state.objective,
    status,
    stopReason: extras.stopReason,
    iterations: state.iteration,
    tasks: { total: results.length, completed: count('completed'), failed: count('failed'), blocked: count('blocked'), cancelled: count('cancelled') + count('pending') + count('running') },
    results,
    ...(state.verdicts.length > 0 ? { verdict: state.verdicts[state.verdicts.length - 1] } : {}),
    usage,
    costUsd: taskCost + state.overheadCostUsd,
    overheadCostUsd: state.overheadCostUsd,
    ...(extras.taskProviderOf ? { providers: spendByProvider(state.overheadByProvider, results, extras.taskProviderOf) } : {}),
    startedAt: state.startedAt,
    endedAt: extras.endedAt,
    // The time worked, not first start to last end: a run resumed days later did not take days.
    durationMs: state.activeMs ?? Math.max(0, Date.parse(extras.endedAt) - Date.parse(state.startedAt)),
    ...(extras.cacheHitRate === undefined ? {} : { cacheHitRate: extras.cacheHitRate }),
    ...(extras.speculation ? { speculation: extras.speculation } : {}),
    ...(extras.error ? { error: extras.error } : {}),
    ...(state.checkChanges?.length ? { checkChanges: state.checkChanges, isCheckChangeAccepted: extras.isCheckChangeAccepted ?? false } : {}),
    ...(state.conflicts?.length ? { conflicts: state.conflicts } : {}),
    ...(state.testCommand ? { testCommand: state.testCommand.command } : {}),
    // Named once the run began on it (it knows where the checkout was).
    ...(state.branch?.returnTo !== undefined ? { branch: { name: state.branch.name, ...(state.branch.head ? { head: state.branch.head } : {}), ...(state.branch.returnedTo ? { returnedTo: state.branch.returnedTo } : {}) } } : {}),
  });
}
