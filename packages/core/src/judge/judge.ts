import type { ContractReport } from '../contracts/contract-report';
import type { Plan } from '../schemas/plan';
import type { TaskResult, VerificationResult } from '../schemas/task-result';
import type { Verdict } from '../schemas/verdict';
import type { CheckChange } from '../schemas/check-change';
import type { KeptConflict } from '../schemas/kept-conflict';
import type { Usage } from '../spec/usage';

/** What the orchestrator gathered itself; the judge decides from this, not from claims. */
export interface Evidence {
  results: TaskResult[];
  /** The project's own test command, run by the orchestrator after the iteration. */
  projectChecks: VerificationResult[];
  contract?: ContractReport;
  /** `git diff --stat` of the run so far. */
  diffStat?: string;
  /** The run's changes to the checks themselves (from its start to now), read from git. */
  checkChanges?: CheckChange[];
  /** The user accepted changes to the checks: they are shown, but no longer count against the run. */
  isCheckChangeAccepted?: boolean;
  /** Tasks whose merge conflicted, and whether their change is on the integration branch now. */
  conflicts?: KeptConflict[];
}

export interface JudgeInput {
  objective: string;
  iteration: number;
  plans: Plan[];
  evidence: Evidence;
  abortSignal?: AbortSignal;
}

export interface JudgeOutput {
  verdict: Verdict;
  usage: Usage;
  costUsd: number;
}

/** Decides "objective met?" from evidence. */
export interface Judge {
  judge(input: JudgeInput): Promise<JudgeOutput>;
}
