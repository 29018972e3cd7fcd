import type { ContractReport } from '@qoder-orch/spec';
import { latestResults } from '../judge/evidence-rules';
import type { RunState } from '../run-store/run-state';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import type { ExecutedIteration } from './execute-step';
import type { JudgedIteration } from './judge-step';
import type { RunContext, RunEnding } from './run-context';

/**
 * After the judge: reports the iteration, and decides whether
 * the run ends (met; no progress, i.e. the same failures as the iteration before or nothing
 * completed after the first; budget spent) or goes on to the next iteration (undefined).
 */
export async function decideStep(run: RunContext, executed: ExecutedIteration, judged: JudgedIteration): Promise<RunEnding | undefined> {
  const { state, config } = run;
  const iteration = state.iteration;
  const iterationResults = [...executed.results.values()];
  const completed = iterationResults.filter((result) => result.status === 'completed').length;
  const failed = iterationResults.filter((result) => result.status === 'failed').length;
  const blocked = iterationResults.filter((result) => result.status === 'blocked').length;
  const signature = failureSignature(judged.allResults, judged.projectChecks, run.contractReport, state, config.execution.acceptCheckChanges);
  const isSameFailures = signature !== '' && signature === run.previousSignature;
  const isProgress = judged.verdict.isMet || (!isSameFailures && (iteration === 1 || completed > 0));
  run.previousSignature = signature;
  run.events.emit('iteration-end', { iteration, completed, failed, blocked, isProgress });
  await run.saveState();
  if (judged.verdict.isMet) return { stopReason: 'met' };
  if (!isProgress) return { stopReason: 'no-progress' };
  const budget = config.execution.budgetUsd;
  if (budget !== undefined && run.runCost >= budget) return { stopReason: 'budget' };
  return undefined;
}

/** What is failing, independent of task ids, to tell whether an iteration changed anything. */
export function failureSignature(
  results: readonly TaskResult[],
  projectChecks: readonly VerificationResult[],
  contract: ContractReport | undefined,
  state: Pick<RunState, 'checkChanges' | 'conflicts'>,
  isCheckChangeAccepted: boolean,
): string {
  const parts: string[] = [];
  if (!isCheckChangeAccepted) for (const change of state.checkChanges ?? []) if (change.isBlocking) parts.push(`check-change:${change.path}:${change.detail}`);
  for (const conflict of state.conflicts ?? []) if (!conflict.isLanded) parts.push(`conflict:${conflict.taskId}:${conflict.missing.join('|')}`);
  for (const result of latestResults(results)) {
    if (result.status === 'completed' && result.verification.every((check) => check.passed)) continue;
    parts.push(
      `${result.status}:${result.error?.code ?? ''}:${result.verification
        .filter((check) => !check.passed)
        .map((check) => check.command.join(' '))
        .sort()
        .join('|')}`,
    );
  }
  for (const check of projectChecks) if (!check.passed) parts.push(`project:${check.command.join(' ')}:${check.exitCode}`);
  for (const finding of contract?.findings ?? []) if (finding.severity === 'error') parts.push(`contract:${finding.kind}:${finding.method}:${finding.path}`);
  return parts.sort().join('\n');
}
