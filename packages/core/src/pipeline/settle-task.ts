import { OrchestratorError, serializeError } from '@qoder-orch/spec';
import type { PreparedTask } from '../git/task-workspace';
import { redactJson, redactOutput } from '@qoder-orch/spec';
import type { AgentReport } from '../orchestrator/task-prompt';
import type { Task } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import { filesWithSecrets } from '../secrets/secrets-in-commit';
import { redactorFor } from '@qoder-orch/spec';
import type { Usage } from '@qoder-orch/spec';
import type { PipelineSteps } from './pipeline-steps';
import { changeEvidenceOf, runTaskChecks, screenVerify } from './task-checks';

type ResultBase = Pick<TaskResult, 'taskId' | 'agent' | 'iteration' | 'attempts' | 'slot' | 'startedAt'>;
export type FinishResult = (result: Omit<TaskResult, 'endedAt' | 'durationMs'>) => TaskResult;

function failureFrom(code: 'VERIFICATION_FAILED' | 'MERGE_CONFLICT', message: string): OrchestratorError {
  return new OrchestratorError({ code, message });
}

/** Throws a failed task's work away (rolled back, or set aside when its merge failed) and records the failure. */
export async function failTask(steps: PipelineSteps, task: Task, prepared: PreparedTask, result: TaskResult, options: { isMergeFailure?: boolean } = {}): Promise<TaskResult> {
  const { config, workspace } = steps.options;
  const isRollback = config.rollback.enabled && config.rollback.autoRollbackOnFailure;
  if (!options.isMergeFailure || isRollback) {
    await workspace
      .discard(task, prepared, { isRollback, reason: result.error?.message ?? 'failed' })
      .catch((error: unknown) => steps.events.emit('warning', { code: 'DISCARD_FAILED', message: `Could not ${isRollback ? 'roll back' : 'set aside'} task ${task.id}: ${serializeError(error).message}` }));
    if (isRollback && prepared.checkpoint) steps.events.emit('rollback', { taskId: task.id, checkpoint: prepared.checkpoint, reason: result.error?.message ?? 'failed' });
  }
  await steps.saveState(task.id, { status: 'failed', attempts: result.attempts, result, ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}) });
  return result;
}

export interface SettleInput {
  task: Task;
  prepared: PreparedTask;
  attempt: number;
  abortSignal: AbortSignal;
  base: ResultBase;
  finish: FinishResult;
  usage: Usage;
  costUsd: number;
  output: { summary: string; structuredOutput?: unknown; sessionId?: string };
  report: AgentReport | undefined;
  /**
   * Speculative work: its own tree lacks its dependencies' work, so its checks run only after
   * its merge into the integration head.
   */
  isOwnTreeCheckSkipped?: boolean;
  /** The work is committed and waits only for its merge (see `CompleteTaskOptions.onCommitted`). */
  onCommitted?: () => void;
}

/** After the agent: the task's own checks, the deviations, the commit and merge, the result. */
export async function settleTask(steps: PipelineSteps, input: SettleInput): Promise<TaskResult> {
  const { task, prepared, attempt, abortSignal, base, finish, usage, costUsd, output, report } = input;
  const { options, events } = steps;
  const secrets = options.secretValues;
  const isClaimedSuccess = report ? report.status === 'success' : true;
  const summary = redactOutput((report?.summary ?? output.summary).slice(0, 4000), secrets);
  let verification: VerificationResult[] = [];
  const checks = screenVerify(task, steps);
  try {
    const ran = checks.runnable.length > 0 && !input.isOwnTreeCheckSkipped ? await runTaskChecks(checks.runnable, prepared.cwd, steps, { abortSignal, ...(prepared.environment ? { environment: prepared.environment } : {}) }) : [];
    verification = [...ran, ...checks.refused('task')];
  } catch (error) {
    if (abortSignal.aborted) {
      await steps.saveState(task.id, { status: 'cancelled', attempts: attempt, ...(prepared.checkpoint ? { checkpoint: prepared.checkpoint } : {}) });
      return finish({ ...base, status: 'cancelled', usage, costUsd, summary, error: serializeError(error) } as TaskResult);
    }
    throw error;
  }
  if (verification.length > 0) events.emit('verify', { taskId: task.id, results: verification, isPassed: verification.every((check) => check.passed) });
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
  if (report?.deviations?.length && options.deviations) {
    await options.deviations
      .propose(redactJson({ runId: options.runId, taskId: task.id, deviations: report.deviations, evidence: summary }, secrets))
      .catch((error: unknown) => events.emit('warning', { code: 'WIKI_PROPOSAL_FAILED', message: serializeError(error).message }));
  }
  // A refused check is not the agent's failure: the task completes, but it is not verified by it.
  const failedChecks = verification.filter((check) => !check.passed && !check.isRefused);
  if (!isClaimedSuccess || failedChecks.length > 0) {
    const changed = await options.workspace.changedFiles(prepared).catch(() => []);
    const message = !isClaimedSuccess
      ? `The agent reported failure: ${summary.slice(0, 500)}`
      : `The agent claimed success but ${failedChecks.length} verification command(s) failed: ${failedChecks.map((check) => check.command.join(' ')).join('; ')}`;
    return failTask(steps, task, prepared, finish({ ...common, status: 'failed', filesChanged: changed, error: serializeError(failureFrom('VERIFICATION_FAILED', message)) } as TaskResult));
  }

  // The secret scan of the task's change runs on its own commit, beside its merge (against its base: the lines it adds are those its merge adds).
  let secretScan: Promise<string[]> | undefined;
  const onCommitted = ({ taskCommit }: { taskCommit: string }) => {
    input.onCommitted?.();
    if (secrets.length > 0 && prepared.baseCommit !== undefined) secretScan = filesWithSecrets(options.projectDir, taskCommit, redactorFor(secrets), { from: prepared.baseCommit }).catch(() => [] as string[]);
  };
  const completed = await options.workspace.complete(task, prepared, {
    message: redactOutput(`${task.title}\n\nqoder-orch task ${task.id} (${task.agent}), run ${options.runId}`, secrets),
    abortSignal,
    onCommitted,
    ...(checks.runnable.length > 0
      ? {
          // With the merge check's worktree's own environment (its ports: the task's slot may be another task's by now).
          verifyAfterMerge: (cwd: string, environment: Readonly<Record<string, string>>) => runTaskChecks(checks.runnable, cwd, steps, { phase: 'merge', abortSignal, environment }),
        }
      : {}),
  });
  events.emit('merge', { taskId: task.id, ...(completed.commit ? { commit: completed.commit } : {}), hasConflict: completed.conflict !== undefined, conflictFiles: completed.conflict?.files ?? [] });
  const allChecks = [...verification, ...(completed.mergeVerification ?? [])];
  const filesChanged = completed.filesChanged.length > 0 ? completed.filesChanged : (report?.filesChanged ?? []);
  const changeEvidence = await changeEvidenceOf(task, prepared, completed, steps);
  if (completed.conflict) {
    const { ref, baseCommit } = completed.conflict;
    const kept = ref !== undefined && baseCommit !== undefined ? { files: completed.conflict.files, ref, baseCommit } : undefined;
    if (kept) events.emit('conflict-kept', { taskId: task.id, ...kept });
    const where = `${completed.conflict.files.join(', ')}${completed.conflict.hasMarkers ? ' (conflict markers are still in them)' : ''}`;
    const keptAt = kept ? `. Its work is kept at ${kept.ref} (\`git diff ${kept.baseCommit.slice(0, 12)} ${kept.ref}\`)` : '';
    const result = finish({
      ...common,
      ...changeEvidence,
      verification: allChecks,
      status: 'failed',
      filesChanged,
      ...(kept ? { conflict: kept } : {}),
      error: serializeError(failureFrom('MERGE_CONFLICT', `Merging the task's work conflicts in: ${where}${keptAt}`)),
    } as TaskResult);
    return failTask(steps, task, prepared, result, { isMergeFailure: true });
  }
  const failedAfterMerge = (completed.mergeVerification ?? []).filter((check) => !check.passed);
  if (failedAfterMerge.length > 0) {
    const result = finish({
      ...common,
      verification: allChecks,
      status: 'failed',
      filesChanged,
      ...(completed.commit ? { commit: completed.commit } : {}),
      error: serializeError(failureFrom('VERIFICATION_FAILED', `Checks passed in the task's own tree but failed after its merge: ${failedAfterMerge.map((check) => check.command.join(' ')).join('; ')}`)),
    } as TaskResult);
    return failTask(steps, task, prepared, result, { isMergeFailure: true });
  }
  if (completed.commit && secrets.length > 0) {
    const files = await (secretScan ?? filesWithSecrets(options.projectDir, completed.commit, redactorFor(secrets)).catch(() => [] as string[]));
    if (files.length > 0) {
      events.emit('warning', {
        code: 'SECRET_IN_CHANGES',
        message: `Task ${task.id} wrote a secret value into ${files.join(', ')}; it was committed as the agent wrote it (the orchestrator does not rewrite an agent's files). Remove it and amend the commit if it must not be in the history.`,
      });
    }
  }
  if (report?.interfaces?.length && options.registry) {
    await options.registry.record(task.id, redactJson(report.interfaces, secrets)).catch((error: unknown) => events.emit('warning', { code: 'REGISTRY_WRITE_FAILED', message: serializeError(error).message }));
  }
  const result = finish({ ...common, ...changeEvidence, verification: allChecks, status: 'completed', filesChanged, ...(completed.commit ? { commit: completed.commit } : {}) } as TaskResult);
  await steps.saveState(task.id, { status: 'completed', attempts: attempt, result });
  return result;
}
