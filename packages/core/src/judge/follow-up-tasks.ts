import type { ContractFinding } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import { TaskSchema, type Task, type VerifyCommand } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import { describeCheck, findTask, mentionsTask, type EvidenceFailure } from './evidence-rules';
import { clipEnd } from './judge-prompt';
import { describeTestSummary } from '@qoder-orch/spec';
import { describeCheckChange } from './check-changes';
import { fallbackAgent } from './follow-up-plan';

import { FOLLOW_UP_PREFIX, type FollowUpIdAllocator, isNamedFor } from './follow-up-ids';

export { normaliseModelFollowUps, type NormaliseModelFollowUpsOptions } from './follow-up-plan';
export { FOLLOW_UP_PREFIX, FollowUpIdAllocator, isNamedFor } from './follow-up-ids';

const MAX_DETAIL_CHARS = 3000;

/** Every task id the run has used so far, so follow-ups never collide with them. */
export function usedTaskIds(plans: readonly Plan[], results: readonly TaskResult[]): Set<string> {
  const ids = new Set<string>();
  for (const plan of plans) for (const task of plan.tasks) ids.add(task.id);
  for (const result of results) ids.add(result.taskId);
  return ids;
}

/** The agents the run knows, most used first. */
export function knownAgents(plans: readonly Plan[], results: readonly TaskResult[]): string[] {
  const counts = new Map<string, number>();
  for (const plan of plans) for (const task of plan.tasks) counts.set(task.agent, (counts.get(task.agent) ?? 0) + 1);
  for (const result of results) counts.set(result.agent, (counts.get(result.agent) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([agent]) => agent);
}

function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n…(truncated)`;
}

function checkDetails(checks: readonly VerificationResult[]): string {
  return checks
    .map((check) => {
      const summary = check.testSummary ? `  runner summary: ${describeTestSummary(check.testSummary)}\n` : '';
      return `- ${describeCheck(check)}\n${summary}${check.outputTail ? `  output (end):\n${indent(clipEnd(check.outputTail, 1500))}` : ''}`;
    })
    .join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function commandsOf(checks: readonly VerificationResult[]): VerifyCommand[] {
  return checks.filter((check) => check.command.length > 0).map((check) => [...check.command]);
}

function preferredAgent(agents: readonly string[], pattern: RegExp, fallback: string): string {
  return agents.find((agent) => pattern.test(agent)) ?? fallback;
}

export interface EvidenceFollowUpOptions {
  failures: readonly EvidenceFailure[];
  plans: readonly Plan[];
  allocator: FollowUpIdAllocator;
  agents: readonly string[];
  /** Task ids whose failures the model's follow-ups already cover. */
  coveredTaskIds?: ReadonlySet<string>;
  /**
   * The model's follow-ups: a failing project check is covered when one of them runs its
   * command; contract errors when one of them speaks of the contract or a failing path.
   */
  coveringTasks?: readonly Task[];
}

function taskText(task: Task): string {
  return `${task.title}\n${task.description}\n${task.acceptance.join('\n')}`.toLowerCase();
}

function coversProjectChecks(tasks: readonly Task[], checks: readonly VerificationResult[]): boolean {
  const commands = new Set(checks.map((check) => JSON.stringify(check.command)));
  return tasks.some((task) => task.verify.some((command) => commands.has(JSON.stringify(Array.isArray(command) ? command : command.command))));
}

/**
 * Whether the model's follow-ups cover the contract errors: one that speaks of the contract or
 * a failing path, and, when the check can run as a command, runs it (see {@link attachContractCheck}).
 */
function coversContract(tasks: readonly Task[], failure: { findings: readonly { path: string }[]; checkCommand?: string[] }): boolean {
  return tasks.some((task) => {
    if (!speaksOfContract(task, failure.findings)) return false;
    if (!failure.checkCommand) return true;
    const wanted = JSON.stringify(failure.checkCommand);
    return task.verify.some((command) => JSON.stringify(Array.isArray(command) ? command : command.command) === wanted);
  });
}

function speaksOfContract(task: Task, findings: readonly { path: string }[]): boolean {
  const text = taskText(task);
  return /\bcontract\b|openapi/.test(text) || findings.some((finding) => finding.path !== '/' && text.includes(finding.path.toLowerCase()));
}

const commandText = (command: readonly string[]) => command.map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ');

const where = (item: { file?: string; line?: number }) => (item.file ? `${item.file}${item.line ? `:${item.line}` : ''}` : '');

/** One finding, with the files on both sides. */
function describeContractFinding(finding: ContractFinding): string {
  const lines = [`- ${finding.kind}: ${finding.method} ${finding.path}${finding.file ? ` (${where(finding)})` : ''}: ${finding.message}`];
  for (const other of finding.counterparts ?? []) lines.push(`    ${other.side}: ${other.method} ${other.path}${other.file ? ` (${where(other)})` : ''}`);
  return lines.join('\n');
}

/** The files a contract fix may touch: where each finding is and its counterparts on the other sides. */
function contractFiles(findings: readonly ContractFinding[]): string[] {
  const files = new Set<string>();
  for (const finding of findings) {
    if (finding.file) files.add(finding.file);
    for (const other of finding.counterparts ?? []) if (other.file) files.add(other.file);
  }
  return [...files];
}

/**
 * The model's follow-ups that take on the contract errors run the contract check too: a fix
 * of the contract then completes only when the verification agrees, not on the agent's word.
 */
export function attachContractCheck(tasks: readonly Task[], failures: readonly EvidenceFailure[]): Task[] {
  const failure = failures.find((entry): entry is Extract<EvidenceFailure, { kind: 'contract-error' }> => entry.kind === 'contract-error');
  const command = failure?.checkCommand;
  if (!failure || !command) return [...tasks];
  const wanted = JSON.stringify(command);
  return tasks.map((task) => {
    if (!speaksOfContract(task, failure.findings)) return task;
    if (task.verify.some((entry) => JSON.stringify(Array.isArray(entry) ? entry : entry.command) === wanted)) return task;
    return { ...task, verify: [...task.verify, [...command]] };
  });
}

/**
 * Follow-up tasks made from the failures alone: one fix per failed task (its own agent, no
 * dependencies), one per blocked task (after the fixes of what blocked it), one for failing
 * project checks and one for contract errors.
 */
export function followUpsFromFailures(options: EvidenceFollowUpOptions): Task[] {
  const { failures, plans, allocator, agents } = options;
  const covered = options.coveredTaskIds ?? new Set<string>();
  const defaultAgent = fallbackAgent(agents);
  const tasks: Task[] = [];
  const fixIdOf = new Map<string, string>();
  const conflictsCovered = new Set<string>();
  const ordered = [...failures].sort((a, b) => rank(a) - rank(b));
  for (const failure of ordered) {
    switch (failure.kind) {
      case 'task-failed':
      case 'verification-failed':
      case 'task-incomplete':
      case 'task-blocked': {
        const { result } = failure;
        if (covered.has(result.taskId)) continue;
        const original = findTask(plans, result.taskId);
        const id = allocator.allocate(`${FOLLOW_UP_PREFIX}${result.taskId}`);
        fixIdOf.set(result.taskId, id);
        const checks = failure.kind === 'verification-failed' ? failure.checks : result.verification.filter((check) => !check.passed);
        const what = original ? `"${original.title}"` : result.taskId;
        const title =
          failure.kind === 'verification-failed'
            ? `Fix failing checks of task ${result.taskId}`
            : failure.kind === 'task-failed'
              ? `Fix failed task ${result.taskId}`
              : failure.kind === 'task-blocked'
                ? `Complete blocked task ${result.taskId}`
                : `Complete task ${result.taskId}`;
        const lines = [
          `Task ${what} (${result.taskId}) is not done: the orchestrator's own evidence says so.`,
          original?.description ? `Original task:\n${clip(original.description, MAX_DETAIL_CHARS)}` : '',
          result.error ? `It failed with ${result.error.code}: ${result.error.message}` : '',
          result.summary ? `The agent's last claim (not evidence): ${clip(result.summary, 500)}` : '',
          checks.length > 0 ? `Failing checks:\n${checkDetails(checks)}` : '',
          failure.kind === 'task-blocked' && result.blockedBy?.length ? `It was blocked by: ${result.blockedBy.join(', ')}.` : '',
          result.conflict ? conflictInstructions(result.taskId, result.conflict) : '',
        ].filter(Boolean);
        if (result.conflict) conflictsCovered.add(result.taskId);
        const dependsOn = failure.kind === 'task-blocked' ? (result.blockedBy ?? []).map((blocker) => fixIdOf.get(blocker)).filter((value): value is string => value !== undefined) : [];
        const verify = original?.verify.length ? original.verify : commandsOf(checks);
        tasks.push(
          TaskSchema.parse({
            id,
            title: title.slice(0, 200),
            description: clip(lines.join('\n\n'), 20_000),
            agent: result.agent || defaultAgent,
            dependsOn,
            files: original?.files ?? [],
            acceptance: [...(original?.acceptance ?? []), 'Every verify command of the task passes.'],
            verify,
            ...(original ? { estimateMinutes: original.estimateMinutes } : {}),
          }),
        );
        break;
      }
      case 'project-check-failed': {
        if (coversProjectChecks(options.coveringTasks ?? [], failure.checks)) continue;
        tasks.push(
          TaskSchema.parse({
            id: allocator.allocate(`${FOLLOW_UP_PREFIX}project-checks`),
            title: 'Make the project checks pass',
            description: clip(`The project's own checks fail after this iteration.\n\n${checkDetails(failure.checks)}`, 20_000),
            agent: preferredAgent(agents, /test|qa|quality/i, defaultAgent),
            acceptance: ['The project checks exit 0.'],
            verify: commandsOf(failure.checks),
          }),
        );
        break;
      }
      case 'checks-changed': {
        const details = failure.changes.map((change) => `- ${describeCheckChange(change)}`).join('\n');
        tasks.push(
          TaskSchema.parse({
            id: allocator.allocate(`${FOLLOW_UP_PREFIX}restore-checks`),
            title: 'Restore the checks the run started with',
            description: clip(
              `The run changed the checks themselves. A check an agent rewrote is not evidence, so these changes count against the run until the user accepts them:\n${details}\n\nPut the test scripts, runner configuration, CI files and tests back as they were (re-add deleted tests, remove added skips) and make the work pass the original checks instead.`,
              20_000,
            ),
            agent: preferredAgent(agents, /test|qa|quality/i, defaultAgent),
            files: [...new Set(failure.changes.map((change) => change.path))],
            acceptance: ['The checks are as they were when the run started, and they pass.'],
          }),
        );
        break;
      }
      case 'conflict-unresolved': {
        for (const conflict of failure.conflicts) {
          // Even when a model's follow-up names the task: the one named for it is the one whose
          // worktree starts with the kept work merged in.
          if (conflictsCovered.has(conflict.taskId) || (options.coveringTasks ?? []).some((task) => isNamedFor(task.id, conflict.taskId))) continue;
          const original = findTask(plans, conflict.taskId);
          tasks.push(
            TaskSchema.parse({
              id: allocator.allocate(`${FOLLOW_UP_PREFIX}${conflict.taskId}`),
              title: `Bring the conflicting work of task ${conflict.taskId} onto the integration branch`.slice(0, 200),
              description: clip([original?.description ? `Original task:\n${clip(original.description, MAX_DETAIL_CHARS)}` : '', conflictInstructions(conflict.taskId, conflict)].filter(Boolean).join('\n\n'), 20_000),
              agent: original?.agent ?? defaultAgent,
              files: [...new Set([...(original?.files ?? []), ...conflict.files])],
              acceptance: [...(original?.acceptance ?? []), `The change kept at ${conflict.ref} is on the integration branch.`],
              verify: original?.verify ?? [],
            }),
          );
        }
        break;
      }
      case 'contract-error': {
        if (coversContract(options.coveringTasks ?? [], failure)) continue;
        const files = contractFiles(failure.findings);
        tasks.push(
          TaskSchema.parse({
            id: allocator.allocate(`${FOLLOW_UP_PREFIX}api-contract`),
            title: 'Fix API contract mismatches between frontend, backend and contract',
            description: clip(
              [
                'The API contract verification found these mismatches. Each names the place it was found and the closest endpoints on the other sides:',
                failure.findings.map(describeContractFinding).join('\n'),
                'Decide for each which side is wrong and change that side: the backend route, the frontend call or the contract. Do not edit the contract only to silence a mismatch the code really has.',
                failure.checkCommand ? `The check \`${commandText(failure.checkCommand)}\` must exit 0 (it runs the same verification in the project).` : 'The orchestrator runs the contract verification again after this task.',
              ].join('\n\n'),
              20_000,
            ),
            agent: preferredAgent(agents, /back|api|server/i, defaultAgent),
            files,
            acceptance: ['The API contract verification reports no errors.'],
            verify: failure.checkCommand ? [failure.checkCommand] : [],
          }),
        );
        break;
      }
    }
  }
  return tasks;
}

/** What a task resolving a conflict must know: where the work is, how to see it, what "done" means. */
export function conflictInstructions(taskId: string, conflict: { ref: string; files: readonly string[]; baseCommit: string }): string {
  const files = conflict.files.join(', ');
  return [
    `The merge of task ${taskId} conflicted in: ${files}. None of its work is on the integration branch.`,
    `Its work is kept at the git ref ${conflict.ref}. See it with \`git show ${conflict.ref}\` or \`git diff ${conflict.baseCommit.slice(0, 12)} ${conflict.ref} -- ${conflict.files.join(' ')}\`.`,
    'Bring that change onto the integration branch, combined with what is there now (keep both sides). The task is done only when the change is on the integration branch: the orchestrator compares it with the kept ref, so finishing without edits does not count.',
  ].join('\n');
}

function rank(failure: EvidenceFailure): number {
  switch (failure.kind) {
    case 'task-failed':
    case 'verification-failed':
    case 'task-incomplete':
      return 0;
    case 'task-blocked':
      return 1;
    default:
      return 2;
  }
}

export interface UncheckedFollowUpOptions {
  results: readonly TaskResult[];
  plans: readonly Plan[];
  allocator: FollowUpIdAllocator;
  agents: readonly string[];
}

/**
 * When nothing was checked, completion rests on claims alone: one task per result asking
 * for an automated check that proves it (the original verify commands, when it had any).
 */
export function followUpsForUncheckedTasks(options: UncheckedFollowUpOptions): Task[] {
  const defaultAgent = fallbackAgent(options.agents);
  return options.results.slice(0, 20).map((result) => {
    const original = findTask(options.plans, result.taskId);
    const what = original ? `"${original.title}"` : result.taskId;
    return TaskSchema.parse({
      id: options.allocator.allocate(`${FOLLOW_UP_PREFIX}check-${result.taskId}`),
      title: `Prove task ${result.taskId} works with an automated check`.slice(0, 200),
      description: clip(
        [
          `Task ${what} (${result.taskId}) reported ${result.status}, but no check ran, so only the agent's claim supports it.`,
          'Add automated tests for its acceptance criteria and make them pass; make the project test command run them.',
          original?.description ? `Original task:\n${clip(original.description, MAX_DETAIL_CHARS)}` : '',
        ]
          .filter(Boolean)
          .join('\n\n'),
        20_000,
      ),
      agent: result.agent || defaultAgent,
      files: original?.files ?? [],
      acceptance: [...(original?.acceptance ?? []), 'An automated test covers the task and passes.'],
      verify: original?.verify ?? [],
    });
  });
}

/**
 * A model's follow-up without verify commands that names a failing task gets that task's
 * verify commands (or its failing checks): otherwise the fix could "complete" on a claim
 * while the failing check is never run again.
 */
export function inheritVerifyCommands(tasks: readonly Task[], failures: readonly EvidenceFailure[], plans: readonly Plan[]): Task[] {
  return tasks.map((task) => {
    if (task.verify.length > 0) return task;
    const commands: VerifyCommand[] = [];
    const seen = new Set<string>();
    for (const failure of failures) {
      if (!('result' in failure) || !mentionsTask(task, failure.result.taskId)) continue;
      const original = findTask(plans, failure.result.taskId);
      const inherited = original?.verify.length ? original.verify : commandsOf(failure.kind === 'verification-failed' ? failure.checks : failure.result.verification);
      for (const command of inherited) {
        const key = JSON.stringify(command);
        if (!seen.has(key)) {
          seen.add(key);
          commands.push(command);
        }
      }
    }
    return commands.length > 0 ? { ...task, verify: commands } : task;
  });
}
