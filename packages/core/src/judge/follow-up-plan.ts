import { OrchestratorError } from '@qoder-orch/spec';
import { validatePlan } from '../planner/validate-plan';
import type { RunState } from '../run-store/run-state';
import type { Plan } from '@qoder-orch/spec';
import { TaskSchema, type Task } from '@qoder-orch/spec';
import type { FollowUpIdAllocator } from './follow-up-ids';

/**
 * The one rule for a follow-up whose agent is missing or unknown: the first of the agents
 * given (the run's most used agent, or the first subagent), else the general agent.
 */
export function fallbackAgent(agents: readonly string[]): string {
  return agents[0] ?? 'general';
}

export interface NormaliseModelFollowUpsOptions {
  allocator: FollowUpIdAllocator;
  agents: readonly string[];
}

/**
 * Turns the model's follow-up tasks into valid, prefixed, uniquely named Task objects.
 * Dependencies are kept only between the follow-ups themselves; unknown agents become the
 * run's most used agent; tasks that cannot be repaired are dropped (and counted).
 */
export function normaliseModelFollowUps(raw: readonly unknown[], options: NormaliseModelFollowUpsOptions): { tasks: Task[]; droppedCount: number } {
  const agents = new Set(options.agents);
  const defaultAgent = options.agents.length > 0 ? fallbackAgent(options.agents) : undefined;
  const renamed = new Map<string, string>();
  const parsed: Task[] = [];
  let droppedCount = 0;
  for (const candidate of raw) {
    if (typeof candidate !== 'object' || candidate === null) {
      droppedCount += 1;
      continue;
    }
    const record = candidate as Record<string, unknown>;
    const originalId = typeof record.id === 'string' && record.id ? record.id : `task-${parsed.length + 1}`;
    const id = options.allocator.allocate(originalId);
    const agent = typeof record.agent === 'string' && (agents.size === 0 || agents.has(record.agent)) ? record.agent : defaultAgent;
    const result = TaskSchema.safeParse({ ...record, id, ...(agent === undefined ? {} : { agent }) });
    if (!result.success) {
      droppedCount += 1;
      continue;
    }
    renamed.set(originalId, id);
    parsed.push(result.data);
  }
  const tasks = parsed.map((task) => ({
    ...task,
    dependsOn: task.dependsOn.map((dependency) => renamed.get(dependency)).filter((value): value is string => value !== undefined && value !== task.id),
  }));
  return { tasks: dropCycles(tasks), droppedCount };
}

/** Removes dependency edges that would close a cycle (keeps the first-listed order). */
function dropCycles(tasks: Task[]): Task[] {
  const position = new Map(tasks.map((task, index) => [task.id, index]));
  return tasks.map((task) => ({
    ...task,
    dependsOn: task.dependsOn.filter((dependency) => (position.get(dependency) ?? Number.POSITIVE_INFINITY) < (position.get(task.id) ?? 0)),
  }));
}

/**
 * The judge's follow-ups as the next iteration's plan: tasks already known to the run are
 * left out, unknown agents get the {@link fallbackAgent} of the subagents, dependencies
 * outside the follow-ups and the completed tasks are dropped; anything still invalid
 * (cycles) runs independently, and a plan that cannot be made valid is a PLAN_INVALID error.
 */
export function followUpPlan(state: RunState, followUps: readonly Task[], subagentNames: readonly string[]): Plan {
  const completed = new Set(
    Object.entries(state.tasks)
      .filter(([, task]) => task.status === 'completed')
      .map(([id]) => id),
  );
  const everyId = new Set(Object.keys(state.tasks));
  const known = new Set(subagentNames);
  const fallback = fallbackAgent(subagentNames);
  const tasks = followUps.filter((task) => !everyId.has(task.id)).map((task) => ({ ...task, agent: known.has(task.agent) ? task.agent : fallback }));
  const ids = new Set(tasks.map((task) => task.id));
  const cleaned = tasks.map((task) => ({ ...task, dependsOn: task.dependsOn.filter((dependency) => ids.has(dependency) || completed.has(dependency)) }));
  const summary = 'Follow-up tasks from the judge.';
  const validated = validatePlan({ objective: state.objective, summary, tasks: cleaned }, { objective: state.objective, agents: [...known], externalIds: completed, projectDir: state.projectDir });
  if ('plan' in validated) return validated.plan;
  // Dependencies that still do not validate (cycles): run the follow-ups independently.
  const independent = validatePlan({ objective: state.objective, summary, tasks: cleaned.map((task) => ({ ...task, dependsOn: [] })) }, { objective: state.objective, agents: [...known], projectDir: state.projectDir });
  if ('plan' in independent) return independent.plan;
  throw new OrchestratorError({ code: 'PLAN_INVALID', message: `The judge's follow-up tasks are invalid: ${independent.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}` });
}
