import { mayTouchApiSurface } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import { type TaskResult, TaskResultSchema } from '@qoder-orch/spec';
import type { ExecutionOutcome } from '../scheduler/task-executor';
import { Scheduler, type SchedulerOptions } from '../scheduler/scheduler';
import type { RunContext } from './run-context';
import { checkContract } from './contract-step';
import { RunStopped } from './run-stopped';
import { taskPipelineFor } from './task-pipeline-for';

/** What one iteration's execution left: its results by task id. */
export interface ExecutedIteration {
  results: Map<string, TaskResult>;
}

/**
 * Runs an iteration's tasks through the Scheduler and the task pipeline: critical path first,
 * file locks, batching and speculation as configured. A completed task that touched the API
 * surface starts a contract check (one at a time). Tasks that never ran (blocked, cancelled)
 * get a result too. Stops the run when the budget is spent or it was cancelled.
 */
export async function executeStep(run: RunContext, plan: Plan, tasksToRun: readonly Task[]): Promise<ExecutedIteration> {
  const { state, events } = run;
  const iteration = state.iteration;
  const completedBefore = new Set(
    Object.entries(state.tasks)
      .filter(([, task]) => task.status === 'completed')
      .map(([id]) => id),
  );
  const results = new Map<string, TaskResult>();
  let contractChecks: Promise<unknown> = Promise.resolve();
  const planTasks = new Map(plan.tasks.map((task) => [task.id, task]));
  const history = run.durationHistory;
  /** Saves of the duration history under way: the step ends only once they are done (see below). */
  const historySaves: Promise<void>[] = [];
  let taskEnded = (): void => undefined;
  const settle = (result: TaskResult): ExecutionOutcome => {
    results.set(result.taskId, result);
    const finished = planTasks.get(result.taskId);
    if (history && finished && result.status === 'completed' && result.durationMs > 0) {
      historySaves.push(
        history
          .record(finished, result.durationMs)
          .then(() => {
            for (const warning of history.takeWarnings()) events.emit('warning', warning);
          })
          .catch(() => undefined),
      );
    }
    events.emit('task-end', { taskId: result.taskId, result });
    taskEnded();
    // A task that touched either side of the API: check the contract now, one check at a time.
    if (run.options.contractVerifier && result.status === 'completed' && mayTouchApiSurface(run.options.contractVerifier, result.filesChanged)) {
      contractChecks = contractChecks
        .then(async () => {
          if (!run.signal.aborted) await checkContract(run);
        })
        .catch(() => undefined);
    }
    return result.status === 'completed' ? 'completed' : result.status === 'cancelled' ? 'cancelled' : 'failed';
  };
  const pipeline = await taskPipelineFor(run, iteration, plan, settle);
  const scheduler = new Scheduler({ ...schedulingOptions(run), executor: pipeline });
  events.recordScheduler(scheduler);
  taskEnded = judgeWarmer(run, scheduler, tasksToRun.length);
  run.scheduler = scheduler;
  const scheduled = await scheduler.run(tasksToRun, completedBefore);
  run.speculation.started += scheduled.speculation.started;
  run.speculation.kept += scheduled.speculation.kept;
  run.speculation.rerun += scheduled.speculation.rerun;
  run.speculation.abandoned += scheduled.speculation.abandoned;
  for (const [taskId, outcome] of scheduled.outcomes) {
    if (outcome !== 'blocked' && !(outcome === 'cancelled' && !results.has(taskId))) continue;
    const task = planTasks.get(taskId)!;
    const blockedBy = scheduled.blockedBy.get(taskId) ?? [];
    const result = TaskResultSchema.parse({
      taskId,
      agent: task.agent,
      iteration,
      status: outcome,
      attempts: 0,
      ...(outcome === 'blocked' ? { blockedBy, error: { name: 'OrchestratorError', code: 'ABORTED', message: `Blocked by failed task(s): ${blockedBy.join(', ')}`, isRetryable: false } } : {}),
    });
    state.tasks[taskId] = { ...(state.tasks[taskId] ?? { attempts: 0, iteration }), status: outcome, result };
    results.set(taskId, result);
    events.emit('task-end', { taskId, result });
  }
  await run.saveState();
  if (events.storeError) throw events.storeError;
  if (run.isBudgetExceeded) throw new RunStopped('budget');
  if (run.signal.aborted) throw new RunStopped('cancelled', run.stopError);
  // The judge sees every contract check the tasks started.
  await contractChecks;
  // The history is written atomically (a temporary file renamed over it) inside the project (`.qoder-orch/history/`):
  // the judge's checks that follow run the project's tests there, and a runner that walks the whole tree (Node 20's
  // `node --test`) fails on a file that vanishes while it looks ("Could not find '…/durations.json.<pid>.<id>.tmp'").
  await Promise.all(historySaves);
  return { results };
}

/**
 * Once every task of the iteration has started and one of them has ended, the verdict is the next
 * model call and a slot is free with nothing left to start: the judge's provider may start its
 * CLI in it (`Judge.warmUp`), so that the start-up of `claude` (a second or more) goes on beside
 * the last tasks instead of after them, without taking the cores of tasks still starting. Once per
 * iteration at most; an earlier warm-up not used is cancelled first. Returns what to call when a
 * task ends.
 */
function judgeWarmer(run: RunContext, scheduler: Scheduler, taskCount: number): () => void {
  const warmUp = run.judge.warmUp?.bind(run.judge);
  if (warmUp === undefined || taskCount === 0) return () => undefined;
  const started = new Set<string>();
  let isWarmed = false;
  const onStart = ({ taskId }: { taskId: string }) => {
    started.add(taskId);
    if (started.size >= taskCount) scheduler.off('task-start', onStart);
  };
  scheduler.on('task-start', onStart);
  return () => {
    if (isWarmed || started.size < taskCount || run.signal.aborted) return;
    isWarmed = true;
    run.judgeWarmUp?.cancel();
    run.judgeWarmUp = warmUp();
  };
}

/** The scheduler's options from the configuration; the concurrency a rate limit lowered carries over. */
function schedulingOptions(run: RunContext): Omit<SchedulerOptions, 'executor'> {
  const execution = run.config.execution;
  // Batching shares one working tree between tasks, so it needs a non-isolated workspace.
  const isBatching = execution.enableBatchProcessing && !run.workspace.isIsolated;
  // Speculative work must not see half-finished dependencies: it needs isolated worktrees.
  const isSpeculative = execution.enableSpeculative && run.workspace.isIsolated;
  return {
    maxParallel: run.scheduler?.concurrency ?? execution.maxParallel,
    abortSignal: run.signal,
    ...(run.durationHistory ? { estimate: run.durationHistory.estimator() } : {}),
    isSpeculative,
    ...(isBatching
      ? {
          batch: {
            maxSize: execution.batchMaxTasks,
            canJoin: (first: Task, other: Task) => first.agent === other.agent && first.estimateMinutes <= execution.batchMaxEstimateMinutes && other.estimateMinutes <= execution.batchMaxEstimateMinutes,
          },
        }
      : {}),
  };
}
