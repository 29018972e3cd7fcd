import type { RunState } from '../run-store/run-state';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import type { RunContext } from './run-context';

/**
 * Puts the tasks a killed session left running (or cancelled) back to pending, after the
 * workspace rolled each back to its checkpoint (or reset its worktree).
 */
export async function recoverInterruptedTasks(run: RunContext): Promise<void> {
  const { state, events } = run;
  const interrupted = Object.entries(state.tasks)
    .filter(([, task]) => task.status === 'running' || task.status === 'cancelled')
    .map(([taskId, task]) => ({ taskId, ...(task.checkpoint ? { checkpoint: task.checkpoint } : {}), ...(task.worktree ? { worktree: task.worktree } : {}) }));
  await run.workspace.recover(interrupted);
  for (const task of interrupted) {
    if (task.checkpoint) events.emit('rollback-end', { taskId: task.taskId, checkpoint: task.checkpoint, reason: 'interrupted run resumed' });
    state.tasks[task.taskId] = { ...state.tasks[task.taskId]!, status: 'pending' };
  }
}

/** A resumed run whose last iteration was planned but not judged: that plan's unfinished tasks. */
export function interruptedIteration(run: RunContext): { plan: Plan; tasksToRun: Task[] } | undefined {
  const { state } = run;
  const isContinuing = run.isResume && state.iteration > 0 && state.plans.length >= state.iteration && state.verdicts.length < state.iteration;
  if (!isContinuing) return undefined;
  run.isResume = false;
  const plan = state.plans[state.iteration - 1]!;
  return { plan, tasksToRun: remainingTasks(plan, state) };
}

/** A resumed run killed after the judge found the objective met but before the final state write. */
export function isMetBeforeInterruption(run: RunContext): boolean {
  const { state } = run;
  return run.isResume && state.iteration > 0 && state.verdicts.length >= state.iteration && state.verdicts[state.iteration - 1]?.isMet === true;
}

/** Tasks of a plan that still need to run on resume: not finished, and not blocked by a failed task. */
export function remainingTasks(plan: Plan, state: RunState): Task[] {
  const failed = new Set(plan.tasks.filter((task) => state.tasks[task.id]?.status === 'failed').map((task) => task.id));
  const byId = new Map(plan.tasks.map((task) => [task.id, task]));
  const isBlocked = (task: Task, seen = new Set<string>()): boolean =>
    task.dependsOn.some((dependency) => {
      if (failed.has(dependency)) return true;
      if (seen.has(dependency)) return false;
      seen.add(dependency);
      const next = byId.get(dependency);
      return next ? isBlocked(next, seen) : false;
    });
  return plan.tasks.filter((task) => {
    const status = state.tasks[task.id]?.status;
    if (status === 'completed' || status === 'failed') return false;
    return !isBlocked(task);
  });
}
