import { followUpPlan } from '../judge/follow-up-plan';
import { listProjectFiles } from './project-files';
import { addProviderSpend } from './provider-spend';
import { Planner } from '../planner/planner';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import { addUsage } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import type { RunContext, RunEnding, RunSetup } from './run-context';
import { screenCommands } from './run-commands';
import { retryPolicyOf } from './run-policies';
import { RunStopped } from './run-stopped';
import { interruptedIteration, isMetBeforeInterruption } from './resume-run';
import { waitingOutUsageLimits } from './usage-limits';

const PLANNER_CONTEXT_CHARS = 12_000;

/** The iteration's plan and the tasks of it still to run. */
export interface PlannedIteration {
  plan: Plan;
  tasksToRun: Task[];
}

/** The planner of a run: the configured provider, model, time limit and retries. */
export function createPlanner(setup: RunSetup, subagents: readonly SubagentDefinition[]): Planner {
  return new Planner({
    provider: setup.options.planProvider ?? setup.options.provider,
    subagents,
    retryPolicy: retryPolicyOf(setup.config),
    timeoutMs: setup.config.llm.timeout * 1000,
    cwd: setup.projectDir,
    // `llm.model` names a model of the agent CLI; a separate planning provider has its own.
    ...(setup.config.llm.model === undefined || setup.options.planProvider ? {} : { model: setup.config.llm.model }),
  });
}

/** The project's rules and the chunks nearest the objective, within the planner's share of the prompt. */
export async function plannerContext(setup: RunSetup, objective: string): Promise<string | undefined> {
  const context = setup.options.context;
  if (!context) return undefined;
  const [rules, chunks] = await Promise.all([context.rules(), context.search(objective, 8)]);
  const seen = new Set<string>();
  const parts: string[] = [];
  let size = 0;
  for (const chunk of [...rules, ...chunks]) {
    if (seen.has(chunk.id)) continue;
    seen.add(chunk.id);
    const text = `### ${chunk.source}${chunk.heading ? ` > ${chunk.heading}` : ''}\n${chunk.text}`;
    if (size + text.length > PLANNER_CONTEXT_CHARS) break;
    parts.push(text);
    size += text.length;
  }
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

/**
 * Plans the next iteration: on resume the interrupted iteration's unfinished tasks; the
 * first iteration from the planner; later ones from the judge's follow-ups. Records the plan,
 * screens its commands and asks for approval. Returns an ending instead when there is
 * nothing more to plan (met before an interruption, iterations spent, no follow-ups).
 */
export async function planStep(run: RunContext): Promise<PlannedIteration | RunEnding> {
  const { state, events, config } = run;
  const continued = interruptedIteration(run);
  const isMetBefore = continued === undefined && isMetBeforeInterruption(run);
  // Only the first planning call goes on beside the workspace's beginning.
  if (continued !== undefined || isMetBefore || state.iteration !== 0 || config.execution.maxIterations < 1) await alongsideBeginning(run, async () => {});
  if (continued) return continued;
  if (isMetBefore) return { stopReason: 'met' };
  if (state.iteration >= config.execution.maxIterations) return { stopReason: 'max-iterations' };
  const iteration = state.iteration + 1;
  let plan: Plan;
  if (iteration === 1) {
    events.emit('plan-start', { iteration, attempt: 1, timeoutMs: config.llm.timeout * 1000 });
    const outcome = await alongsideBeginning(run, async (signal) => {
      const context = await plannerContext(run, state.objective);
      const planner = createPlanner(run, run.subagents);
      // The model's plan is untrusted text: task titles become commit messages, the plan is
      // committed in specs/. Redacted once here, it is the plan everything downstream sees.
      planner.on('plan', (planned) => {
        state.overheadUsage = addUsage(state.overheadUsage, planned.usage);
        state.overheadCostUsd += planned.costUsd;
        state.overheadByProvider = addProviderSpend(state.overheadByProvider, (run.options.planProvider ?? run.options.provider).providerId, 'plan', planned.usage, planned.costUsd);
        run.runCost += planned.costUsd;
      });
      events.recordPlanner(planner, iteration);
      const projectFiles = await listProjectFiles(run.projectDir);
      const request = { objective: state.objective, projectFiles, abortSignal: signal, ...(context === undefined ? {} : { context }) };
      try {
        return await waitingOutUsageLimits(run, () => planner.plan(request), signal);
      } finally {
        // Taken by the first call (then a no-op), or not (a planning provider without warm-ups): ended either way.
        run.planWarmUp?.cancel();
        run.planWarmUp = undefined;
      }
    });
    plan = run.redactor.value(outcome.plan);
  } else {
    const followUps = state.verdicts[state.verdicts.length - 1]?.followUpTasks ?? [];
    if (followUps.length === 0) return { stopReason: 'no-progress' };
    events.emit('plan-start', { iteration, attempt: 1 });
    plan = followUpPlan(
      state,
      followUps,
      run.subagents.map((subagent) => subagent.name),
    );
    events.emit('plan-end', { iteration, plan, attempts: 1, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 });
  }
  state.iteration = iteration;
  state.plans.push(plan);
  for (const task of plan.tasks) state.tasks[task.id] = { status: 'pending', attempts: 0, iteration };
  await run.store.writePlan(state.runId, plan);
  await screenCommands(run, plan, iteration, run.contractReport?.checkCommand ? [run.contractReport.checkCommand] : []);
  await run.saveState();
  if (run.runOptions.approve && !(await run.runOptions.approve(plan, iteration))) throw new RunStopped('cancelled');
  return { plan, tasksToRun: plan.tasks };
}

/**
 * `call` (the first planning call) while the workspace's beginning is under way: both settle
 * before this returns, so the run never goes on, or ends, with a beginning still running; a
 * failed beginning stops the call and is the error.
 */
async function alongsideBeginning<T>(run: RunContext, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const beginning = run.beginning;
  if (beginning === undefined) return call(run.signal);
  run.beginning = undefined;
  const stop = new AbortController();
  const begun = beginning.catch((error: unknown) => {
    stop.abort(error);
    throw error;
  });
  const [called, began] = await Promise.allSettled([call(AbortSignal.any([run.signal, stop.signal])), begun]);
  if (began.status === 'rejected') throw began.reason;
  if (called.status === 'rejected') throw called.reason;
  return called.value;
}
