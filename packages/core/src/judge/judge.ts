import type { ContractReport } from '@qoder-orch/spec';
import type { Plan } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import type { Verdict } from '@qoder-orch/spec';
import type { CheckChange } from '@qoder-orch/spec';
import type { KeptConflict } from '@qoder-orch/spec';
import type { Usage } from '@qoder-orch/spec';

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
  /**
   * A verdict will be asked for soon (every task of the iteration has started): a judge that
   * calls a model may have its provider start now (`LLMProviderV1.doWarmUp`). The orchestrator
   * cancels what was not used when the run ends.
   */
  warmUp?(): { cancel(): void };
}
