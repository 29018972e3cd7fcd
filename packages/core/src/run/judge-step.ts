import { serializeError } from '@qoder-orch/spec';
import { detectCheckChanges } from '../judge/check-changes';
import { redactJson } from '@qoder-orch/spec';
import { collectProjectChecks } from '../judge/run-verification';
import type { KeptConflict } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import type { Verdict } from '@qoder-orch/spec';
import { addUsage } from '@qoder-orch/spec';
import { headCommit } from '../git/git-client';
import { conflictChangeLanded } from '../workspace/conflict-landed';
import { checkContract } from './contract-step';
import { addProviderSpend } from './provider-spend';
import type { RunContext } from './run-context';
import { keepRecords } from './run-records';
import type { Plan } from '@qoder-orch/spec';
import { waitingOutUsageLimits } from './usage-limits';

/** The evidence of an iteration and what the judge made of it. */
export interface JudgedIteration {
  verdict: Verdict;
  /** This iteration's results and every completed result so far. */
  allResults: TaskResult[];
  projectChecks: VerificationResult[];
}

/**
 * Gathers the evidence the orchestrator itself produces (the contract check, the project's
 * pinned test command, the run's changes to its checks, whether conflicted work landed) and
 * has the judge decide on it; the verdict is redacted and kept in the state. The iteration's
 * records (its plan, the integration registry) are written and committed first.
 */
export async function judgeStep(run: RunContext, plan: Plan): Promise<JudgedIteration> {
  const { state, config, signal } = run;
  const iteration = state.iteration;
  await checkContract(run);
  const testCommand = state.testCommand;
  // The head the evidence is about: the records' commit lands on it before the checks run.
  const evidenceHead = (await run.repository()) === undefined ? undefined : await headCommit(run.projectDir);
  // The plan and the registry are written and committed before the checks (which see them, every iteration alike): they
  // are records, not evidence. Committed first, not beside the checks: a test runner that walks the whole tree (Node 20's
  // `node --test` does, `.git` included) fails on the lock files a commit makes and removes under it (seen on CI:
  // "Could not find '…/.git/HEAD.lock'").
  await keepRecords(run, plan, iteration);
  const [projectChecks] = await Promise.all([
    collectProjectChecks({
      cwd: run.projectDir,
      abortSignal: signal,
      ...(testCommand ? { command: testCommand.command, ...(testCommand.prependPath ? { prependPath: testCommand.prependPath } : {}) } : {}),
    }),
    // Read-only git (trees and commits compared): no lock file in `.git` while the checks walk it.
    measureChangeEvidence(run, evidenceHead),
  ]);
  // Earlier iterations' failures were turned into this iteration's follow-ups: what counts
  // now is this iteration's results and everything completed so far.
  const allResults = Object.values(state.tasks)
    .map((task) => task.result)
    .filter((result): result is TaskResult => result !== undefined && (result.iteration === iteration || result.status === 'completed'));
  const contract = run.contractReport;
  const judged = await waitingOutUsageLimits(run, () =>
    run.judge.judge({
      objective: state.objective,
      iteration,
      plans: state.plans,
      evidence: {
        results: allResults,
        projectChecks,
        ...(contract ? { contract } : {}),
        ...(state.checkChanges?.length ? { checkChanges: state.checkChanges, isCheckChangeAccepted: config.execution.acceptCheckChanges } : {}),
        ...(state.conflicts?.length ? { conflicts: state.conflicts } : {}),
      },
      abortSignal: signal,
    }),
  );
  state.overheadUsage = addUsage(state.overheadUsage, judged.usage);
  state.overheadCostUsd += judged.costUsd;
  state.overheadByProvider = addProviderSpend(state.overheadByProvider, run.judgeProviderId, 'judge', judged.usage, judged.costUsd);
  run.runCost += judged.costUsd;
  // The judge may quote what it saw (an agent's output, a file): its words are stored and shown.
  const verdict = run.redactor.value(judged.verdict);
  state.verdicts.push(verdict);
  run.events.emit('judge-end', { iteration, verdict });
  return { verdict, allResults, projectChecks };
}

/**
 * The run's changes to the checks (from its base commit to the integration head `head`) and whether
 * each conflicted task's change is on the integration branch now, read from git.
 */
async function measureChangeEvidence(run: RunContext, head: string | undefined): Promise<void> {
  const { state } = run;
  if (head === undefined) return;
  try {
    if (state.baseCommit) state.checkChanges = redactJson(await detectCheckChanges({ cwd: run.projectDir, from: state.baseCommit, to: head }), run.secretValues);
    const conflicts: KeptConflict[] = [];
    for (const task of Object.values(state.tasks)) {
      const conflict = task.result?.conflict;
      if (!task.result || !conflict) continue;
      const landing = await conflictChangeLanded({ cwd: run.projectDir, ref: conflict.ref, baseCommit: conflict.baseCommit });
      conflicts.push({ taskId: task.result.taskId, ...conflict, ...landing });
    }
    if (conflicts.length > 0) state.conflicts = conflicts;
  } catch (error) {
    run.events.emit('warning', { code: 'CHANGE_EVIDENCE_FAILED', message: `Could not read the run's changes to its checks and conflicts: ${serializeError(error).message}` });
  }
}
