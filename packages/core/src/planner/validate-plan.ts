import { Graph, alg } from '@dagrejs/graphlib';
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import type { PlanIssue } from '@qoder-orch/spec';
import { MAX_PLAN_TASKS, type Plan, PlanSchema } from '@qoder-orch/spec';

export interface ValidatePlanOptions {
  /** The run's objective: filled in when the answer leaves it out. */
  objective: string;
  /** Subagent names a task may use. Empty: any. */
  agents: readonly string[];
  /** Ids of tasks finished earlier (a follow-up may depend on them). */
  externalIds?: Iterable<string>;
  /** The project root: when given, a file reached through a symlink that points outside it is refused too. */
  projectDir?: string;
}

const KEY_ALIASES: Record<string, string> = {
  depends_on: 'dependsOn',
  dependencies: 'dependsOn',
  deps: 'dependsOn',
  estimate_minutes: 'estimateMinutes',
  estimate: 'estimateMinutes',
  acceptance_criteria: 'acceptance',
  acceptanceCriteria: 'acceptance',
  subagent: 'agent',
  verify_commands: 'verify',
};

/** Small repairs models commonly need: a bare task list, snake_case keys, a missing objective. */
function normaliseShape(value: unknown, objective: string): unknown {
  const root = Array.isArray(value) ? { tasks: value } : value;
  if (typeof root !== 'object' || root === null) return root;
  const record = { ...(root as Record<string, unknown>) };
  if (record.objective === undefined || record.objective === '') record.objective = objective;
  if (Array.isArray(record.tasks)) {
    record.tasks = record.tasks.map((task) => {
      if (typeof task !== 'object' || task === null) return task;
      const copy: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(task as Record<string, unknown>)) {
        const target = KEY_ALIASES[key] ?? key;
        if (copy[target] === undefined) copy[target] = entry;
      }
      if (typeof copy.id === 'number') copy.id = String(copy.id);
      if (Array.isArray(copy.dependsOn)) copy.dependsOn = copy.dependsOn.map((id) => (typeof id === 'number' ? String(id) : id));
      if (copy.title === undefined && typeof copy.description === 'string') copy.title = copy.description.slice(0, 120);
      return copy;
    });
  }
  return record;
}

function isOutsideProject(path: string): boolean {
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('~')) return true;
  const normalised = normalize(path.replace(/\\/g, '/'));
  return normalised === '..' || normalised.startsWith('../');
}

/** Whether a relative path goes through a symlink (in the project) that leads outside the project. */
function leavesThroughSymlink(projectDir: string, path: string): boolean {
  let root: string;
  try {
    root = realpathSync(projectDir);
  } catch {
    return false;
  }
  let current = root;
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (/[*?[\]{}]/.test(part)) break;
    current = join(current, part);
    let real: string;
    try {
      real = realpathSync(current);
    } catch {
      // Not there (yet), or a dangling link: follow the link's own text.
      try {
        if (!lstatSync(current).isSymbolicLink()) return false;
        real = resolve(dirname(current), readlinkSync(current));
      } catch {
        return false;
      }
    }
    if (real !== root && !real.startsWith(root + sep)) return true;
  }
  return false;
}

/**
 * Validates a plan answer: schema, duplicate ids, self and unknown dependencies, unknown
 * agents, files outside the project, cycles. Returns every problem found, each with a JSON
 * path precise enough to send back to the model.
 */
export function validatePlan(value: unknown, options: ValidatePlanOptions): { plan: Plan } | { issues: PlanIssue[] } {
  const shaped = normaliseShape(value, options.objective);
  const taskCount = Array.isArray((shaped as { tasks?: unknown })?.tasks) ? (shaped as { tasks: unknown[] }).tasks.length : 0;
  if (taskCount > MAX_PLAN_TASKS) {
    return { issues: [{ kind: 'too-many-tasks', path: 'tasks', message: `${taskCount} tasks; at most ${MAX_PLAN_TASKS}. Merge small steps into larger tasks.` }] };
  }
  const parsed = PlanSchema.safeParse(shaped);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.slice(0, 30).map((issue) => ({
        kind: 'schema' as const,
        path: issue.path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`)).join('') || '(root)',
        message: issue.message,
      })),
    };
  }
  const plan = parsed.data;
  const issues: PlanIssue[] = [];
  const external = new Set(options.externalIds ?? []);
  const agents = new Set(options.agents);
  const ids = new Set<string>();
  plan.tasks.forEach((task, index) => {
    if (ids.has(task.id) || external.has(task.id)) issues.push({ kind: 'duplicate-id', path: `tasks[${index}].id`, message: `the id "${task.id}" is used more than once` });
    ids.add(task.id);
  });
  plan.tasks.forEach((task, index) => {
    task.dependsOn.forEach((dependency, dependencyIndex) => {
      const path = `tasks[${index}].dependsOn[${dependencyIndex}]`;
      if (dependency === task.id) issues.push({ kind: 'self-dependency', path, message: `task "${task.id}" depends on itself` });
      else if (!ids.has(dependency) && !external.has(dependency)) issues.push({ kind: 'unknown-dependency', path, message: `"${dependency}" is not the id of any task` });
    });
    if (agents.size > 0 && !agents.has(task.agent)) {
      issues.push({ kind: 'unknown-agent', path: `tasks[${index}].agent`, message: `"${task.agent}" is not a subagent; use one of: ${[...agents].join(', ')}` });
    }
    task.files.forEach((file, fileIndex) => {
      if (isOutsideProject(file)) issues.push({ kind: 'path-outside-project', path: `tasks[${index}].files[${fileIndex}]`, message: `"${file}" is outside the project; give paths relative to the project root` });
      else if (options.projectDir !== undefined && leavesThroughSymlink(options.projectDir, file)) {
        issues.push({ kind: 'path-outside-project', path: `tasks[${index}].files[${fileIndex}]`, message: `"${file}" is a symlink (or goes through one) that points outside the project` });
      }
    });
    task.verify.forEach((command, commandIndex) => {
      const cwd = Array.isArray(command) ? undefined : command.cwd;
      if (cwd !== undefined && isOutsideProject(cwd)) issues.push({ kind: 'path-outside-project', path: `tasks[${index}].verify[${commandIndex}].cwd`, message: `"${cwd}" is outside the project` });
    });
  });
  const graph = new Graph();
  for (const task of plan.tasks) graph.setNode(task.id);
  for (const task of plan.tasks) for (const dependency of task.dependsOn) if (ids.has(dependency) && dependency !== task.id) graph.setEdge(dependency, task.id);
  for (const cycle of alg.findCycles(graph)) {
    const ordered = [...cycle].reverse();
    issues.push({ kind: 'cycle', path: `tasks(${ordered.join(', ')})`, message: `dependency cycle: ${[...ordered, ordered[0]].join(' → ')}` });
  }
  return issues.length > 0 ? { issues } : { plan };
}
