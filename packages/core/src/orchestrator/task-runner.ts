import type { Config } from '../config/config-schema';
import { OrchestratorError, serializeError } from '@qoder-orch/spec';
import { ProviderError } from '@qoder-orch/spec';
import type { CompletedTask, PreparedTask, TaskWorkspace } from '../git/task-workspace';
import { redactJson, redactOutput } from '@qoder-orch/spec';
import { runVerification } from '../judge/run-verification';
import { filesWithSecrets } from '../secrets/secrets-in-commit';
import { redactorFor } from '@qoder-orch/spec';
import { refusedCheck } from '../commands/screen-plan-commands';
import { agentEnvironment } from '@qoder-orch/spec';
import type { VerifyCommand } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import { type TaskResult, TaskResultSchema, type VerificationResult } from '@qoder-orch/spec';
import type { AgentEvent, LLMProvider, RunTaskOptions, RunTaskResult } from '@qoder-orch/spec';
import type { ContextSource } from '@qoder-orch/spec';
import { addUsage, emptyUsage, type Usage } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import type { EventRecorder } from '../run/event-recorder';
import type { DeviationSink, InterfaceRegistry } from './orchestrator-options';
import { type RetryPolicy, retryDelayMs, sleep } from '../shared/retry-policy';
import { filesOverlap } from '@qoder-orch/spec';
import type { Speculation } from '../scheduler/task-executor';
import type { KeptConflict } from '@qoder-orch/spec';
import { detectCheckChanges } from '../judge/check-changes';
import { packageScriptOf, type PinnedTestCommand } from '../judge/detect-test-command';
import { join } from 'node:path';
import { conflictInstructions } from '../judge/follow-up-tasks';
import { type AgentReport, buildBatchPrompt, buildTaskPrompt, parseAgentReport, parseBatchReport } from './task-prompt';

/** Everything a task needs from the run around it. */
export interface TaskRunnerContext {
  runId: string;
  objective: string;
  projectDir: string;
  config: Config;
  iteration: number;
  plan: Plan;
  provider: LLMProvider;
  providers: Readonly<Record<string, LLMProvider>>;
  subagents: ReadonlyMap<string, SubagentDefinition>;
  workspace: TaskWorkspace;
  context: ContextSource | undefined;
  registry: InterfaceRegistry | undefined;
  deviations: DeviationSink | undefined;
  events: EventRecorder;
  retryPolicy: RetryPolicy;
  secretValues: readonly string[];
  random: () => number;
  /** Results of earlier tasks, by id (for the "done before you" part of the prompt). */
  resultOf: (taskId: string) => TaskResult | undefined;
  /** Called when a task starts or changes state, so the run state can be written. */
  onStateChange: (taskId: string, change: { status: TaskResult['status']; attempts: number; checkpoint?: string; worktree?: string; result?: TaskResult }) => Promise<void>;
  /** Called on rate limits and successes, so concurrency can follow. */
  onRateLimit: (error: ProviderError) => void;
  onSuccess: () => void;
  /** Adds spend to the ledger; returns whether the budget is now exceeded. */
  onSpend: (costUsd: number) => void;
  appendTranscript: (taskId: string, text: string) => void;
  /** Records the result of a confirmed speculation (its task-end). */
  settleSpeculative: (result: TaskResult) => void;
  /** Whether the command policy lets a verify command run, and why; absent: every command runs. */
  commandDecision?: (command: VerifyCommand) => { isAllowed: boolean; reason: string };
  /**
   * The conflicted work a task is to bring onto the integration branch (a follow-up of a task
   * whose merge conflicted): its worktree starts with that work merged in, markers and all.
   */
  conflictToResolve?: (task: Task) => KeptConflict | undefined;
  /** The project directory relative to its repository root ('' or undefined at the root). */
  projectSubdirectory?: string;
  /** The project's test command as it was when the run started: a task's `npm test` runs it, not the script in the task's tree. */
  pinnedTestCommand?: PinnedTestCommand;
}

/** A plan's commands see what an agent sees of the environment, never the orchestrator's secrets. */
const PLAN_COMMAND_ENVIRONMENT = () => ({ env: agentEnvironment(process.env), isEnvironmentInherited: false });

/** A task's verify commands the policy lets run, and records for those it refused (never run). */
function screenVerify(task: Task, context: TaskRunnerContext): { runnable: VerifyCommand[]; refused: (phase: VerificationResult['phase']) => VerificationResult[] } {
  const decide = context.commandDecision;
  if (!decide) return { runnable: task.verify, refused: () => [] };
  const decisions = task.verify.map((command) => ({ command, ...decide(command) }));
  return {
    runnable: decisions.filter((entry) => entry.isAllowed).map((entry) => entry.command),
    refused: (phase) => decisions.filter((entry) => !entry.isAllowed).map((entry) => refusedCheck(entry.command, entry.reason, phase)),
  };
}

const MAX_TRANSCRIPT_TEXT = 4000;

function describeAgentEvent(event: AgentEvent): string {
  switch (event.type) {
    case 'text':
      return `text: ${event.text.slice(0, MAX_TRANSCRIPT_TEXT)}`;
    case 'tool-call':
      return `tool-call ${event.toolName}: ${JSON.stringify(event.input).slice(0, MAX_TRANSCRIPT_TEXT)}`;
    case 'tool-result':
      return `tool-result${event.isError ? ' (error)' : ''}: ${event.output.slice(0, MAX_TRANSCRIPT_TEXT)}`;
    case 'retry':
      return `api retry ${event.attempt}${event.maxRetries ? `/${event.maxRetries}` : ''}${event.errorStatus ? ` (status ${event.errorStatus})` : ''}`;
    case 'status':
      return `status: ${event.message}`;
  }
}

function redactEvent(event: AgentEvent, secrets: readonly string[]): AgentEvent {
  switch (event.type) {
    case 'text':
      return { ...event, text: redactOutput(event.text, secrets) };
    case 'tool-result':
      return { ...event, output: redactOutput(event.output, secrets) };
    case 'tool-call':
      return { ...event, input: redactJson(event.input, secrets) };
    case 'status':
      return { ...event, message: redactOutput(event.message, secrets) };
    default:
      return event;
  }
}

/**
 * What an agent answered, redacted where it enters the run: its summary and structured output
 * (status, summary, interfaces for the registry, deviations for the wiki) are stored, shown,
 * committed in the registry and handed to later prompts.
 */
function redactedRunResult(result: RunTaskResult, secrets: readonly string[]): RunTaskResult {
  return { ...result, summary: redactOutput(result.summary, secrets), ...(result.structuredOutput === undefined ? {} : { structuredOutput: redactJson(result.structuredOutput, secrets) }) };
}

function failureFrom(code: 'VERIFICATION_FAILED' | 'MERGE_CONFLICT', message: string): OrchestratorError {
  return new OrchestratorError({ code, message });
}

/** The subagent of a task, the provider that runs it, and the call options every run of it shares. */
function agentFor(agentName: string, context: TaskRunnerContext, options: { isTurnLimited?: boolean } = {}) {
  const subagent = context.subagents.get(agentName);
  const provider = (subagent?.provider ? context.providers[subagent.provider] : undefined) ?? context.provider;
  const model = subagent?.model ?? context.config.llm.model;
  const callOptions: Pick<RunTaskOptions, 'permissionMode' | 'systemPrompt' | 'allowedTools' | 'disallowedTools' | 'maxTurns' | 'model'> = {
    permissionMode: subagent?.permissionMode ?? 'acceptEdits',
    ...(subagent?.systemPrompt ? { systemPrompt: subagent.systemPrompt } : {}),
    ...(subagent?.tools ? { allowedTools: subagent.tools } : {}),
    ...(subagent?.disallowedTools ? { disallowedTools: subagent.disallowedTools } : {}),
    ...(subagent?.maxTurns && (options.isTurnLimited ?? true) ? { maxTurns: subagent.maxTurns } : {}),
    ...(model ? { model } : {}),
  };
  return { subagent, provider, callOptions };
}

/** Streams an agent's events, redacted, as `task-output` of each task and into a transcript. */
function relayAgentEvents(taskIds: readonly string[], transcriptId: string, context: TaskRunnerContext, observe?: (event: AgentEvent) => void) {
  return (event: AgentEvent) => {
    observe?.(event);
    const safe = redactEvent(event, context.secretValues);
    for (const taskId of taskIds) context.events.emit('task-output', { taskId, event: safe });
    context.appendTranscript(transcriptId, describeAgentEvent(safe));
  };
}

/**
 * Runs one task to its end: checkpoint (via the workspace), context, the agent through its
 * provider, the task's own verification, the merge; retries transient provider failures with
 * backoff and jitter after restoring the checkpoint. An agent's claim of success is recorded
 * but never enough: a task whose checks fail is a failed task.
 */
export async function runTask(task: Task, slot: number, abortSignal: AbortSignal, context: TaskRunnerContext): Promise<TaskResult> {
  const { subagent, provider, callOptions } = agentFor(task.agent, context);
  const startedAt = new Date();
  let usage = emptyUsage();
  let costUsd = 0;
  let lastError: unknown;
  let previousFailure: string | undefined;
  let contextVersion: string | undefined;
  const maxAttempts = context.retryPolicy.maxAttempts;

  const base = (attempts: number): Pick<TaskResult, 'taskId' | 'agent' | 'iteration' | 'attempts' | 'slot' | 'startedAt'> => ({
    taskId: task.id,
    agent: task.agent,
    iteration: context.iteration,
    attempts,
    slot,
    startedAt: startedAt.toISOString(),
  });
  const finish = (result: Omit<TaskResult, 'endedAt' | 'durationMs'>): TaskResult => {
    const endedAt = new Date();
    return TaskResultSchema.parse({ ...result, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - startedAt.getTime(), ...(contextVersion ? { contextVersion } : {}) });
  };

  const resolving = context.workspace.isIsolated ? context.conflictToResolve?.(task) : undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    if (abortSignal.aborted) break;
    const prepared: PreparedTask = await context.workspace.prepare(task, { runId: context.runId, attempt, abortSignal, ...(resolving ? { mergeBranch: resolving.ref } : {}) });
    if (prepared.checkpoint && prepared.checkpointRef) context.events.emit('checkpoint-end', { taskId: task.id, checkpoint: prepared.checkpoint, ref: prepared.checkpointRef });
    await context.onStateChange(task.id, {
      status: 'running',
      attempts: attempt,
      ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}),
      ...(prepared.worktree ? { worktree: prepared.worktree } : {}),
    });
    context.events.emit('task-start', { taskId: task.id, title: task.title, agent: task.agent, attempt, slot, iteration: context.iteration, cwd: prepared.cwd });

    let runResult: RunTaskResult;
    try {
      const taskContext = context.context
        ? await context.context.contextFor(task, { tokenBudget: context.config.semantic_search.token_budget, ...(subagent ? { subagent } : {}), abortSignal })
        : undefined;
      contextVersion = taskContext?.version;
      const interfaces = context.registry ? await context.registry.forTask(task, context.plan) : '';
      const prompt = buildTaskPrompt({
        objective: context.objective,
        task,
        dependencies: task.dependsOn.map((id) => context.resultOf(id)).filter((result): result is TaskResult => result !== undefined),
        ...(taskContext?.text ? { context: taskContext.text } : {}),
        ...(interfaces ? { interfaces } : {}),
        ...(previousFailure ? { previousFailure } : {}),
        ...(prepared.linkedDependencies ? { linkedDependencies: prepared.linkedDependencies } : {}),
      });
      runResult = redactedRunResult(
        await provider.doRunTask({
          taskId: task.id,
          prompt: resolving ? withConflictNote(prompt, resolving) : prompt,
          cwd: prepared.cwd,
          timeoutMs: context.config.execution.task_timeout * 1000,
          abortSignal,
          ...callOptions,
          onEvent: relayAgentEvents([task.id], task.id, context),
        }),
        context.secretValues,
      );
    } catch (error) {
      if (ProviderError.isInstance(error)) {
        usage = addUsage(usage, error.usage);
        costUsd += error.costUsd ?? 0;
        context.onSpend(error.costUsd ?? 0);
      }
      lastError = error;
      if (abortSignal.aborted) {
        await context.onStateChange(task.id, { status: 'cancelled', attempts: attempt, ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}), ...(prepared.worktree ? { worktree: prepared.worktree } : {}) });
        return finish({ ...base(attempt), status: 'cancelled', usage, costUsd, error: redactedError(error, context.secretValues), ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}) } as TaskResult);
      }
      const isRetryable = OrchestratorError.isInstance(error) && error.isRetryable && attempt < maxAttempts;
      if (ProviderError.isInstance(error) && (error.code === 'RATE_LIMITED' || error.code === 'OVERLOADED')) context.onRateLimit(error);
      if (isRetryable) {
        await context.workspace.discard(task, prepared, { isRollback: true, reason: `attempt ${attempt} failed: ${serializeError(error).code}` });
        if (prepared.checkpoint) context.events.emit('rollback-end', { taskId: task.id, checkpoint: prepared.checkpoint, reason: `retry after ${serializeError(error).code}` });
        const delayMs = retryDelayMs(context.retryPolicy, attempt, (error as OrchestratorError).retryAfterMs, context.random);
        context.events.emit('task-retry', { taskId: task.id, attempt: attempt + 1, delayMs, error: redactedError(error, context.secretValues) });
        previousFailure = `${serializeError(error).code}: ${redactOutput(serializeError(error).message, context.secretValues)}`;
        try {
          await sleep(delayMs, abortSignal);
        } catch {
          break;
        }
        continue;
      }
      return failTask(task, prepared, context, finish({ ...base(attempt), status: 'failed', usage, costUsd, error: redactedError(error, context.secretValues), ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}) } as TaskResult));
    }

    usage = addUsage(usage, runResult.usage);
    costUsd += runResult.costUsd ?? 0;
    context.onSpend(runResult.costUsd ?? 0);
    const report = parseAgentReport(runResult.summary, runResult.structuredOutput);
    return settleTask({ task, prepared, attempt, context, abortSignal, base: base(attempt), finish, usage, costUsd, output: runResult, report });
  }
  const error = lastError ?? new OrchestratorError({ code: 'ABORTED', message: 'The task was cancelled before it started.' });
  return finish({ ...base(0), status: 'cancelled', usage, costUsd, error: serializeError(error) } as TaskResult);
}

/** The conflicted work, where it is, and that the worktree already has it merged in with markers. */
function withConflictNote(prompt: string, conflict: KeptConflict): string {
  const note = `## Conflicting work to bring in\n${conflictInstructions(conflict.taskId, conflict)}\nYour working directory already has that work merged in: resolve every conflict marker (<<<<<<<, =======, >>>>>>>) in ${conflict.files.join(', ')}, keeping both sides' intent.\n\n`;
  return prompt.includes('## Your task:') ? prompt.replace('## Your task:', `${note}## Your task:`) : `${prompt}\n\n${note}`;
}

function redactedError(error: unknown, secrets: readonly string[]) {
  return redactJson(serializeError(error), secrets);
}

async function failTask(task: Task, prepared: PreparedTask, context: TaskRunnerContext, result: TaskResult, options: { isMergeFailure?: boolean } = {}): Promise<TaskResult> {
  const isRollback = context.config.rollback.enabled && context.config.rollback.auto_rollback_on_failure;
  if (!options.isMergeFailure || isRollback) {
    await context.workspace
      .discard(task, prepared, { isRollback, reason: result.error?.message ?? 'failed' })
      .catch((error: unknown) => context.events.emit('warning', { code: 'DISCARD_FAILED', message: `Could not ${isRollback ? 'roll back' : 'set aside'} task ${task.id}: ${serializeError(error).message}` }));
    if (isRollback && prepared.checkpoint) context.events.emit('rollback-end', { taskId: task.id, checkpoint: prepared.checkpoint, reason: result.error?.message ?? 'failed' });
  }
  await context.onStateChange(task.id, { status: 'failed', attempts: result.attempts, result, ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}) });
  return result;
}

interface SettleInput {
  task: Task;
  prepared: PreparedTask;
  attempt: number;
  context: TaskRunnerContext;
  abortSignal: AbortSignal;
  base: Pick<TaskResult, 'taskId' | 'agent' | 'iteration' | 'attempts' | 'slot' | 'startedAt'>;
  finish: (result: Omit<TaskResult, 'endedAt' | 'durationMs'>) => TaskResult;
  usage: Usage;
  costUsd: number;
  output: { summary: string; structuredOutput?: unknown; sessionId?: string };
  report: AgentReport | undefined;
  /** Commit only these paths (a batch member in a shared tree). */
  paths?: readonly string[];
  /**
   * Speculative work: its own tree lacks its dependencies' work, so its checks run only after
   * its merge into the integration head.
   */
  isOwnTreeCheckSkipped?: boolean;
}

/** After the agent: the task's own checks, the deviations, the commit and merge, the result. */
async function settleTask(input: SettleInput): Promise<TaskResult> {
  const { task, prepared, attempt, context, abortSignal, base, finish, usage, costUsd, output, report } = input;
  const isClaimedSuccess = report ? report.status === 'success' : true;
  const summary = redactOutput((report?.summary ?? output.summary).slice(0, 4000), context.secretValues);
  let verification: VerificationResult[] = [];
  const checks = screenVerify(task, context);
  try {
    const ran = checks.runnable.length > 0 && !input.isOwnTreeCheckSkipped ? await runTaskChecks(checks.runnable, prepared.cwd, context, { abortSignal }) : [];
    verification = [...ran, ...checks.refused('task')];
  } catch (error) {
    if (abortSignal.aborted) {
      await context.onStateChange(task.id, { status: 'cancelled', attempts: attempt, ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}) });
      return finish({ ...base, status: 'cancelled', usage, costUsd, summary, error: serializeError(error) } as TaskResult);
    }
    throw error;
  }
  if (verification.length > 0) context.events.emit('verify-end', { taskId: task.id, results: verification, isPassed: verification.every((check) => check.passed) });
  const common = {
    ...base,
    usage,
    costUsd,
    summary,
    agentClaimedSuccess: isClaimedSuccess,
    verification,
    ...(output.sessionId ? { sessionId: output.sessionId } : {}),
    ...(report ? { structuredOutput: report } : output.structuredOutput === undefined ? {} : { structuredOutput: output.structuredOutput }),
    ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}),
  };
  if (report?.deviations?.length && context.deviations) {
    await context.deviations
      .propose(redactJson({ runId: context.runId, taskId: task.id, deviations: report.deviations, evidence: summary }, context.secretValues))
      .catch((error: unknown) => context.events.emit('warning', { code: 'WIKI_PROPOSAL_FAILED', message: serializeError(error).message }));
  }
  // A refused check is not the agent's failure: the task completes, but it is not verified by it.
  const failedChecks = verification.filter((check) => !check.passed && !check.isRefused);
  if (!isClaimedSuccess || failedChecks.length > 0) {
    const changed = await context.workspace.changedFiles(prepared).catch(() => []);
    const message = !isClaimedSuccess
      ? `The agent reported failure: ${summary.slice(0, 500)}`
      : `The agent claimed success but ${failedChecks.length} verification command(s) failed: ${failedChecks.map((check) => check.command.join(' ')).join('; ')}`;
    return failTask(task, prepared, context, finish({ ...common, status: 'failed', filesChanged: changed, error: serializeError(failureFrom('VERIFICATION_FAILED', message)) } as TaskResult));
  }

  const completed = await context.workspace.complete(task, prepared, {
    message: redactOutput(`${task.title}\n\nqoder-orch task ${task.id} (${task.agent}), run ${context.runId}`, context.secretValues),
    abortSignal,
    ...(checks.runnable.length > 0 ? { verifyAfterMerge: (cwd: string) => runTaskChecks(checks.runnable, cwd, context, { phase: 'merge', abortSignal }) } : {}),
  });
  context.events.emit('merge-end', {
    taskId: task.id,
    ...(completed.commit ? { commit: completed.commit } : {}),
    hasConflict: completed.conflict !== undefined,
    conflictFiles: completed.conflict?.files ?? [],
  });
  const allChecks = [...verification, ...(completed.mergeVerification ?? [])];
  const filesChanged = completed.filesChanged.length > 0 ? completed.filesChanged : (report?.filesChanged ?? []);
  const changeEvidence = await changeEvidenceOf(task, prepared, completed, context);
  if (completed.conflict) {
    const { ref, baseCommit } = completed.conflict;
    const kept = ref !== undefined && baseCommit !== undefined ? { files: completed.conflict.files, ref, baseCommit } : undefined;
    if (kept) context.events.emit('conflict-kept', { taskId: task.id, ...kept });
    return failTask(task, prepared, context, finish({
      ...common,
      ...changeEvidence,
      verification: allChecks,
      status: 'failed',
      filesChanged,
      ...(kept ? { conflict: kept } : {}),
      error: serializeError(
        failureFrom(
          'MERGE_CONFLICT',
          `Merging the task's work conflicts in: ${completed.conflict.files.join(', ')}${completed.conflict.hasMarkers ? ' (conflict markers are still in them)' : ''}${kept ? `. Its work is kept at ${kept.ref} (\`git diff ${kept.baseCommit.slice(0, 12)} ${kept.ref}\`)` : ''}`,
        ),
      ),
    } as TaskResult), { isMergeFailure: true });
  }
  const failedAfterMerge = (completed.mergeVerification ?? []).filter((check) => !check.passed);
  if (failedAfterMerge.length > 0) {
    return failTask(task, prepared, context, finish({
      ...common,
      verification: allChecks,
      status: 'failed',
      filesChanged,
      ...(completed.commit ? { commit: completed.commit } : {}),
      error: serializeError(failureFrom('VERIFICATION_FAILED', `Checks passed in the task's own tree but failed after its merge: ${failedAfterMerge.map((check) => check.command.join(' ')).join('; ')}`)),
    } as TaskResult), { isMergeFailure: true });
  }
  if (completed.commit && context.secretValues.length > 0) {
    const files = await filesWithSecrets(context.projectDir, completed.commit, redactorFor(context.secretValues)).catch(() => [] as string[]);
    if (files.length > 0) {
      context.events.emit('warning', {
        code: 'SECRET_IN_CHANGES',
        message: `Task ${task.id} wrote a secret value into ${files.join(', ')}; it was committed as the agent wrote it (the orchestrator does not rewrite an agent's files). Remove it and amend the commit if it must not be in the history.`,
      });
    }
  }
  if (report?.interfaces?.length && context.registry) {
    await context.registry.record(task.id, redactJson(report.interfaces, context.secretValues)).catch((error: unknown) => context.events.emit('warning', { code: 'REGISTRY_WRITE_FAILED', message: serializeError(error).message }));
  }
  context.onSuccess();
  const result = finish({ ...common, ...changeEvidence, verification: allChecks, status: 'completed', filesChanged, ...(completed.commit ? { commit: completed.commit } : {}) } as TaskResult);
  await context.onStateChange(task.id, { status: 'completed', attempts: attempt, result });
  return result;
}

/**
 * What the task's change says about the checks: changes to the checks themselves, and files
 * outside those it declared. Read from git (the task's own diff), surfaced as events and kept
 * in its result for the judge; nothing the agent says enters into it.
 */
async function changeEvidenceOf(task: Task, prepared: PreparedTask, completed: CompletedTask, context: TaskRunnerContext): Promise<Pick<TaskResult, 'checkChanges' | 'undeclaredFiles'>> {
  const evidence: Pick<TaskResult, 'checkChanges' | 'undeclaredFiles'> = {};
  const to = completed.taskCommit ?? completed.commit;
  if (to !== undefined) {
    const from = completed.taskCommit !== undefined ? prepared.baseCommit : `${to}^1`;
    // Script text is the repository's: it may carry a secret, and it is stored and shown.
    const changes = from === undefined ? [] : redactJson(await detectCheckChanges({ cwd: context.projectDir, from, to, taskId: task.id }).catch(() => []), context.secretValues);
    if (changes.length > 0) {
      evidence.checkChanges = changes;
      context.events.emit('check-change', { taskId: task.id, changes });
    }
  }
  if (task.files.length > 0) {
    const undeclared = completed.filesChanged.filter((file) => !filesOverlap(task.files, [file]) && !filesOverlap(task.files, [relativeToProject(file, context)]));
    if (undeclared.length > 0) {
      evidence.undeclaredFiles = undeclared;
      context.events.emit('undeclared-change', { taskId: task.id, declared: [...task.files], files: undeclared });
    }
  }
  return evidence;
}

/**
 * A task's verify commands, with a call of the project's test script (`npm test`, `pnpm test`)
 * replaced by the script as it read when the run started: an agent can rewrite the script in
 * its own tree, and the check that judges it must not change with it.
 */
function runTaskChecks(verify: readonly VerifyCommand[], cwd: string, context: TaskRunnerContext, options: { phase?: 'task' | 'merge'; abortSignal: AbortSignal }): Promise<VerificationResult[]> {
  const pinned = context.pinnedTestCommand;
  if (pinned?.source !== 'package-script') return runVerification(verify, { cwd, ...options, ...PLAN_COMMAND_ENVIRONMENT() });
  let isReplaced = false;
  const commands = verify.map((command): VerifyCommand => {
    const argv = Array.isArray(command) ? command : command.command;
    if (packageScriptOf(argv) !== 'test') return command;
    isReplaced = true;
    return Array.isArray(command) ? [...pinned.command] : { ...command, command: [...pinned.command] };
  });
  return runVerification(commands, { cwd, ...options, ...PLAN_COMMAND_ENVIRONMENT(), ...(isReplaced ? { prependPath: [join(cwd, 'node_modules', '.bin'), ...(pinned.prependPath ?? [])] } : {}) });
}

/** A repository-relative path relative to the project directory, when the project is a sub-directory. */
function relativeToProject(file: string, context: TaskRunnerContext): string {
  const prefix = context.projectSubdirectory ? `${context.projectSubdirectory}/` : '';
  return prefix && file.startsWith(prefix) ? file.slice(prefix.length) : file;
}

/**
 * Batch processing: several small tasks of one subagent, with disjoint files, in one agent
 * invocation (one prompt listing them, one structured result per task). Each task keeps its
 * own checkpoint, verification, commit and result; spend is shared equally. When the one
 * invocation fails, every task is run on its own (with its own retries).
 */
export async function runTaskBatch(tasks: readonly Task[], slot: number, abortSignal: AbortSignal, context: TaskRunnerContext): Promise<TaskResult[]> {
  const head = tasks[0]!;
  // A batch runs several tasks: the subagent's turn limit is for one.
  const { subagent, provider, callOptions } = agentFor(head.agent, context, { isTurnLimited: false });
  const startedAt = new Date();
  const prepared: PreparedTask[] = [];
  for (const task of tasks) {
    const place = await context.workspace.prepare(task, { runId: context.runId, attempt: 1, abortSignal });
    prepared.push(place);
    if (place.checkpoint && place.checkpointRef) context.events.emit('checkpoint-end', { taskId: task.id, checkpoint: place.checkpoint, ref: place.checkpointRef });
    await context.onStateChange(task.id, { status: 'running', attempts: 1, ...(place.checkpoint ? { checkpoint: place.checkpoint } : {}) });
    context.events.emit('task-start', { taskId: task.id, title: task.title, agent: task.agent, attempt: 1, slot, iteration: context.iteration, cwd: prepared[0]!.cwd });
  }
  const cwd = prepared[0]!.cwd;
  const versions = new Map<string, string>();
  let runResult: RunTaskResult;
  try {
    const inputs = [];
    for (const task of tasks) {
      const taskContext = context.context
        ? await context.context.contextFor(task, { tokenBudget: Math.ceil(context.config.semantic_search.token_budget / tasks.length), ...(subagent ? { subagent } : {}), abortSignal })
        : undefined;
      if (taskContext?.version) versions.set(task.id, taskContext.version);
      const interfaces = context.registry ? await context.registry.forTask(task, context.plan) : '';
      inputs.push({
        objective: context.objective,
        task,
        dependencies: task.dependsOn.map((id) => context.resultOf(id)).filter((result): result is TaskResult => result !== undefined),
        ...(taskContext?.text ? { context: taskContext.text } : {}),
        ...(interfaces ? { interfaces } : {}),
      });
    }
    runResult = await provider.doRunTask({
      taskId: tasks.map((task) => task.id).join('+').slice(0, 200),
      prompt: buildBatchPrompt(inputs),
      cwd,
      timeoutMs: context.config.execution.task_timeout * 1000 * tasks.length,
      abortSignal,
      ...callOptions,
      onEvent: relayAgentEvents(tasks.map((task) => task.id), head.id, context),
    });
  } catch (error) {
    if (ProviderError.isInstance(error)) context.onSpend(error.costUsd ?? 0);
    for (const [index, task] of tasks.entries()) {
      await context.workspace.discard(task, prepared[index]!, { isRollback: true, reason: 'the batch invocation failed' }).catch(() => undefined);
    }
    if (abortSignal.aborted) {
      return tasks.map((task) => TaskResultSchema.parse({ taskId: task.id, agent: task.agent, iteration: context.iteration, status: 'cancelled', attempts: 1, slot, startedAt: startedAt.toISOString(), error: serializeError(error) }));
    }
    context.events.emit('warning', { code: 'BATCH_FAILED', message: `The batch ${tasks.map((task) => task.id).join(', ')} failed (${serializeError(error).code}); running its tasks one by one.` });
    const results: TaskResult[] = [];
    for (const task of tasks) results.push(await runTask(task, slot, abortSignal, context));
    return results;
  }
  context.onSpend(runResult.costUsd ?? 0);
  runResult = redactedRunResult(runResult, context.secretValues);
  const reports = parseBatchReport(runResult.summary, runResult.structuredOutput);
  const share = 1 / tasks.length;
  const usageShare: Usage = {
    inputTokens: Math.round(runResult.usage.inputTokens * share),
    outputTokens: Math.round(runResult.usage.outputTokens * share),
  };
  const costShare = (runResult.costUsd ?? 0) * share;
  // Tasks with declared files commit first, so a task without any cannot take their changes.
  const order = tasks.map((task, index) => ({ task, index })).sort((a, b) => Number(a.task.files.length === 0) - Number(b.task.files.length === 0));
  const results: TaskResult[] = new Array(tasks.length);
  for (const { task, index } of order) {
    const report = reports.get(task.id) ?? { status: 'failure' as const, summary: 'The agent did not report on this task in its batch answer.' };
    const version = versions.get(task.id);
    const finish = (result: Omit<TaskResult, 'endedAt' | 'durationMs'>): TaskResult => {
      const endedAt = new Date();
      return TaskResultSchema.parse({ ...result, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - startedAt.getTime(), ...(version ? { contextVersion: version } : {}) });
    };
    results[index] = await settleTask({
      task,
      prepared: prepared[index]!,
      attempt: 1,
      context,
      abortSignal,
      base: { taskId: task.id, agent: task.agent, iteration: context.iteration, attempts: 1, slot, startedAt: startedAt.toISOString() },
      finish,
      usage: usageShare,
      costUsd: costShare,
      output: { summary: report.summary ?? runResult.summary, ...(runResult.sessionId ? { sessionId: runResult.sessionId } : {}) },
      report,
      ...(task.files.length > 0 ? { paths: task.files } : {}),
    });
  }
  return results;
}

/** Paths an agent read, from its tool calls (`file_path`, `path`, `notebook_path` inputs). */
function readPaths(event: AgentEvent, cwd: string): string[] {
  if (event.type !== 'tool-call' || typeof event.input !== 'object' || event.input === null) return [];
  const input = event.input as Record<string, unknown>;
  const paths: string[] = [];
  for (const key of ['file_path', 'path', 'notebook_path']) {
    const value = input[key];
    if (typeof value !== 'string' || value === '') continue;
    const relative = value.startsWith(`${cwd}/`) ? value.slice(cwd.length + 1) : value.startsWith('/') ? undefined : value.replace(/^\.\//, '');
    if (relative !== undefined) paths.push(relative === '' ? '.' : relative);
  }
  return paths;
}

/** What speculative work read or wrote, checked against what its dependencies changed. */
export interface SpeculativeFootprint {
  declared: readonly string[];
  read: readonly string[];
  written: readonly string[];
}

/** The dependency changes that touch what speculative work read or wrote. */
export function speculationConflicts(footprint: SpeculativeFootprint, dependencyChanges: readonly string[]): string[] {
  const touched = [...footprint.declared, ...footprint.read, ...footprint.written];
  return dependencyChanges.filter((changed) => touched.some((pattern) => pattern === '.' || filesOverlap([pattern], [changed])));
}

/**
 * Speculative execution: the agent's part of a task whose dependencies are still running, in
 * its own worktree from the current integration head. The work is held until they finish;
 * `confirm` keeps it (merge, then the task's checks after the merge) when nothing they
 * changed touches what it read or wrote, and otherwise throws it away for a normal rerun.
 */
export async function speculateTask(task: Task, slot: number, abortSignal: AbortSignal, context: TaskRunnerContext, onWasted: (ms: number) => void): Promise<Speculation> {
  const { subagent, provider, callOptions } = agentFor(task.agent, context);
  const startedAt = new Date();
  const prepared = await context.workspace.prepare(task, { runId: context.runId, attempt: 1, abortSignal });
  if (prepared.checkpoint && prepared.checkpointRef) context.events.emit('checkpoint-end', { taskId: task.id, checkpoint: prepared.checkpoint, ref: prepared.checkpointRef });
  await context.onStateChange(task.id, { status: 'running', attempts: 1, ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}), ...(prepared.worktree ? { worktree: prepared.worktree } : {}) });
  context.events.emit('task-start', { taskId: task.id, title: task.title, agent: task.agent, attempt: 1, slot, iteration: context.iteration, cwd: prepared.cwd, isSpeculative: true });
  const read = new Set<string>();
  const throwAway = async (reason: string) => {
    await context.workspace.discard(task, prepared, { isRollback: true, reason }).catch(() => undefined);
    onWasted(Date.now() - startedAt.getTime());
    await context.onStateChange(task.id, { status: 'pending', attempts: 0 });
  };
  let runResult: RunTaskResult;
  try {
    const taskContext = context.context ? await context.context.contextFor(task, { tokenBudget: context.config.semantic_search.token_budget, ...(subagent ? { subagent } : {}), abortSignal }) : undefined;
    const prompt = buildTaskPrompt({
      objective: context.objective,
      task,
      dependencies: [],
      ...(taskContext?.text ? { context: taskContext.text } : {}),
      ...(prepared.linkedDependencies ? { linkedDependencies: prepared.linkedDependencies } : {}),
    }).replace('## Your task:', `## Note\nThe tasks this one depends on (${task.dependsOn.join(', ')}) are still being done by teammates. Build against the plan and the contract; do not do their work.\n\n## Your task:`);
    runResult = await provider.doRunTask({
      taskId: task.id,
      prompt,
      cwd: prepared.cwd,
      timeoutMs: context.config.execution.task_timeout * 1000,
      abortSignal,
      ...callOptions,
      onEvent: relayAgentEvents([task.id], task.id, context, (event) => {
        for (const path of readPaths(event, prepared.cwd)) read.add(path);
      }),
    });
  } catch (error) {
    if (ProviderError.isInstance(error)) context.onSpend(error.costUsd ?? 0);
    await throwAway(`speculation failed: ${serializeError(error).code}`);
    throw error;
  }
  context.onSpend(runResult.costUsd ?? 0);
  runResult = redactedRunResult(runResult, context.secretValues);
  const written = await context.workspace.changedFiles(prepared).catch(() => [] as string[]);
  return {
    confirm: async ({ abortSignal: confirmSignal }) => {
      const dependencyChanges = task.dependsOn.flatMap((id) => context.resultOf(id)?.filesChanged ?? []);
      const conflicts = speculationConflicts({ declared: task.files, read: [...read], written }, dependencyChanges);
      if (conflicts.length > 0) {
        context.events.emit('warning', { code: 'SPECULATION_DISCARDED', message: `Speculative work on ${task.id} is discarded: its dependencies changed ${conflicts.slice(0, 5).join(', ')}, which it read or wrote.` });
        await throwAway('dependencies changed what it used');
        return 'rerun';
      }
      const finish = (result: Omit<TaskResult, 'endedAt' | 'durationMs'>): TaskResult => {
        const endedAt = new Date();
        return TaskResultSchema.parse({ ...result, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - startedAt.getTime() });
      };
      const result = await settleTask({
        task,
        prepared,
        attempt: 1,
        context,
        abortSignal: confirmSignal,
        base: { taskId: task.id, agent: task.agent, iteration: context.iteration, attempts: 1, slot, startedAt: startedAt.toISOString() },
        finish,
        usage: runResult.usage,
        costUsd: runResult.costUsd ?? 0,
        output: runResult,
        report: parseAgentReport(runResult.summary, runResult.structuredOutput),
        isOwnTreeCheckSkipped: true,
      });
      context.settleSpeculative(result);
      return result.status === 'completed' ? 'completed' : result.status === 'cancelled' ? 'cancelled' : 'failed';
    },
    abandon: async () => {
      await throwAway('a dependency failed or the run stopped');
    },
  };
}
