import type { ContractFinding } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import type { Evidence } from './judge';
import type { CheckChange } from '@qoder-orch/spec';
import type { KeptConflict } from '@qoder-orch/spec';
import { describeCheckChange } from './check-changes';

/** One reason, found in the evidence itself, why the objective cannot be met yet. */
export type EvidenceFailure =
  | { kind: 'task-failed'; result: TaskResult }
  | { kind: 'task-blocked'; result: TaskResult }
  | { kind: 'task-incomplete'; result: TaskResult }
  | { kind: 'verification-failed'; result: TaskResult; checks: VerificationResult[] }
  | { kind: 'project-check-failed'; checks: VerificationResult[] }
  | { kind: 'contract-error'; findings: ContractFinding[]; checkCommand?: string[] }
  | { kind: 'checks-changed'; changes: CheckChange[] }
  | { kind: 'conflict-unresolved'; conflicts: KeptConflict[] };

/** The newest result of each task (highest iteration; the later entry on a tie). */
export function latestResults(results: readonly TaskResult[]): TaskResult[] {
  const byTask = new Map<string, TaskResult>();
  for (const result of results) {
    const previous = byTask.get(result.taskId);
    if (!previous || result.iteration >= previous.iteration) byTask.set(result.taskId, result);
  }
  return [...byTask.values()];
}

/** Whether a task mentions a task id as a whole word (its id without `fix-`, title or description). */
export function mentionsTask(task: Pick<Task, 'id' | 'title' | 'description'>, taskId: string): boolean {
  const escaped = taskId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|[^A-Za-z0-9._-])${escaped}($|[^A-Za-z0-9_-])`);
  return pattern.test(`${task.id.replace(/^fix-/, '')} ${task.title} ${task.description}`);
}

/** Each task id's task, the latest plan's where a later iteration planned the same id again. */
export function tasksById(plans: readonly Plan[]): Map<string, Task> {
  const byId = new Map<string, Task>();
  for (const plan of plans) for (const task of plan.tasks) byId.set(task.id, task);
  return byId;
}

/** The index of a run's plans, kept while they stay the same (plans are only ever appended). */
const indexes = new WeakMap<readonly Plan[], { plans: Plan[]; byId: Map<string, Task> }>();

/** The task of this id in the latest plan that has it: one lookup, not a scan of every plan. */
export function findTask(plans: readonly Plan[], taskId: string): Task | undefined {
  let index = indexes.get(plans);
  if (!index || index.plans.length !== plans.length || index.plans.some((plan, position) => plan !== plans[position])) {
    index = { plans: [...plans], byId: tasksById(plans) };
    indexes.set(plans, index);
  }
  return index.byId.get(taskId);
}

function commandKeys(commands: ReadonlyArray<readonly string[]>): Set<string> {
  return new Set(commands.map((command) => JSON.stringify(command)));
}

/**
 * Tasks whose result was superseded by a follow-up of a later iteration: one named for it
 * (`fix-api`, `fix-check-api`, `fix-api-2`), or one that names it (`(api)` in its text) and
 * ran one of its checks again. Their own, older failure no longer counts; the follow-up's
 * result does. Maps the superseded task id to the follow-up's id.
 */
export function supersededResults(results: readonly TaskResult[], plans: readonly Plan[]): Map<string, string> {
  const latest = latestResults(results);
  const superseded = new Map<string, string>();
  const byId = tasksById(plans);
  for (const result of latest) {
    const escaped = result.taskId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const namedFor = new RegExp(`^fix-(?:check-)?${escaped}(?:-\\d+)?$`);
    const original = byId.get(result.taskId);
    const ownChecks = commandKeys([...(original?.verify ?? []).map((command) => (Array.isArray(command) ? command : command.command)), ...result.verification.map((check) => check.command)]);
    for (const later of latest) {
      if (later.iteration <= result.iteration || later.taskId === result.taskId) continue;
      // Cheapest first: the name, then the checks; only then the text (a regular expression per pair).
      const isNamedFor = namedFor.test(later.taskId);
      const rerunsChecks = !isNamedFor && later.verification.some((check) => ownChecks.has(JSON.stringify(check.command)));
      if (isNamedFor || (rerunsChecks && mentionsTask(byId.get(later.taskId) ?? { id: later.taskId, title: '', description: '' }, result.taskId))) {
        superseded.set(result.taskId, later.taskId);
        break;
      }
    }
  }
  return superseded;
}

/**
 * The evidence rules, applied in code: any failed, blocked or unfinished task, any failed
 * verification or project check, any contract finding of severity `error`. A non-empty
 * answer means "not met", whatever a model or an agent says. With `plans`, a task of an
 * earlier iteration that a later follow-up names is judged by that follow-up instead.
 */
export function findEvidenceFailures(evidence: Evidence, plans: readonly Plan[] = []): EvidenceFailure[] {
  const failures: EvidenceFailure[] = [];
  const superseded = supersededResults(evidence.results, plans);
  for (const result of latestResults(evidence.results)) {
    if (superseded.has(result.taskId)) continue;
    if (result.status === 'failed') failures.push({ kind: 'task-failed', result });
    else if (result.status === 'blocked') failures.push({ kind: 'task-blocked', result });
    else if (result.status !== 'completed') failures.push({ kind: 'task-incomplete', result });
    else {
      const failed = result.verification.filter((check) => !check.passed);
      if (failed.length > 0) failures.push({ kind: 'verification-failed', result, checks: failed });
    }
  }
  const failedProjectChecks = evidence.projectChecks.filter((check) => !check.passed);
  if (failedProjectChecks.length > 0) failures.push({ kind: 'project-check-failed', checks: failedProjectChecks });
  const contractErrors = (evidence.contract?.findings ?? []).filter((finding) => finding.severity === 'error');
  if (contractErrors.length > 0) failures.push({ kind: 'contract-error', findings: contractErrors, ...(evidence.contract?.checkCommand ? { checkCommand: evidence.contract.checkCommand } : {}) });
  const weakening = blockingCheckChanges(evidence);
  if (weakening.length > 0) failures.push({ kind: 'checks-changed', changes: weakening });
  // A conflicted task is done only when its change is on the integration branch, whatever
  // became of its follow-ups: a follow-up that changed nothing does not clear it.
  const unresolved = (evidence.conflicts ?? []).filter((conflict) => !conflict.isLanded);
  if (unresolved.length > 0) failures.push({ kind: 'conflict-unresolved', conflicts: unresolved });
  return failures;
}

/** Changes to the checks that count against the run: those that can weaken a check, unless the user accepted them. */
export function blockingCheckChanges(evidence: Evidence): CheckChange[] {
  if (evidence.isCheckChangeAccepted) return [];
  return (evidence.checkChanges ?? []).filter((change) => change.isBlocking);
}

/** One line per failure, for reasoning text. */
export function describeFailure(failure: EvidenceFailure): string {
  switch (failure.kind) {
    case 'task-failed':
      return `task ${failure.result.taskId} failed${failure.result.error ? ` (${failure.result.error.code}: ${failure.result.error.message})` : ''}`;
    case 'task-blocked':
      return `task ${failure.result.taskId} is blocked${failure.result.blockedBy?.length ? ` by ${failure.result.blockedBy.join(', ')}` : ''}`;
    case 'task-incomplete':
      return `task ${failure.result.taskId} did not complete (${failure.result.status})`;
    case 'verification-failed':
      return `task ${failure.result.taskId}${failure.result.agentClaimedSuccess ? ' claimed success but' : ''} failed verification: ${failure.checks.map(describeCheck).join('; ')}`;
    case 'project-check-failed':
      return `project checks failed: ${failure.checks.map(describeCheck).join('; ')}`;
    case 'contract-error':
      return `${failure.findings.length} API contract error(s): ${failure.findings
        .slice(0, 5)
        .map((finding) => `${finding.kind} ${finding.method} ${finding.path}`)
        .join(', ')}${failure.findings.length > 5 ? ', …' : ''}`;
    case 'checks-changed':
      return `the checks themselves were changed (not accepted by the user): ${failure.changes.slice(0, 5).map(describeCheckChange).join('; ')}${failure.changes.length > 5 ? '; …' : ''}`;
    case 'conflict-unresolved':
      return `conflicting work is not on the integration branch: ${failure.conflicts
        .map((conflict) => `task ${conflict.taskId} (kept at ${conflict.ref}; missing in ${conflict.missing.slice(0, 5).join(', ') || conflict.files.join(', ')})`)
        .join('; ')}`;
  }
}

export function describeCheck(check: VerificationResult): string {
  const outcome = check.isRefused ? 'was refused by the command policy and did not run' : check.isTimedOut ? 'timed out' : check.exitCode === null ? 'did not run' : `exit ${check.exitCode}`;
  return `\`${check.command.join(' ')}\` ${outcome}`;
}
