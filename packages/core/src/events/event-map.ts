import type { SerializedError } from '@qoder-orch/spec';
import type { RepositoryTampering } from '../git/task-workspace';
import type { Plan } from '@qoder-orch/spec';
import type { RunSummary } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import type { Verdict } from '@qoder-orch/spec';
import type { CheckChange } from '@qoder-orch/spec';
import type { AgentEvent } from '@qoder-orch/spec';
import type { ContextRefreshResult } from '@qoder-orch/spec';
import type { Usage } from '@qoder-orch/spec';
import type { ContractReport } from '@qoder-orch/spec';
import type { PreflightReport } from '../preflight/preflight-report';
import type { CommandReview } from '../commands/command-review';
import type { ProvisionEvents } from '../workspace/provision/provision-types';

/**
 * Every event the orchestrator emits, by name, with its payload. Names are noun-verb with
 * `start` / `delta` / `end`. Each payload reaches listeners wrapped in an {@link EventEnvelope}.
 */
export interface OrchestratorEventMap {
  'run-start': { objective: string; projectDir: string; isResumed: boolean };
  'preflight-end': { report: PreflightReport };
  'context-refresh-end': { result: ContextRefreshResult };
  /** `timeoutMs`: how long one model call may take before it is given up and retried. */
  'plan-start': { iteration: number; attempt: number; timeoutMs?: number };
  /**
   * Planning goes on after a setback: the model call failed transiently (`provider-error`: a
   * timeout, rate limit or overload; asked again after `delayMs`), or its answer was unusable
   * (`invalid-answer`: asked again at once with the problems).
   */
  'plan-retry': { iteration: number; attempt: number; reason: 'provider-error' | 'invalid-answer'; code: string; message: string; delayMs: number };
  'plan-end': { iteration: number; plan: Plan; attempts: number; usage: Usage; costUsd: number };
  /** The commands the plan proposes and what the command policy decided, before any of them runs. */
  'plan-commands': { iteration: number; commands: CommandReview[] };
  'task-start': {
    taskId: string;
    title: string;
    agent: string;
    attempt: number;
    slot: number;
    iteration: number;
    cwd: string;
    /** Started ahead of its running dependencies (speculative execution). */
    isSpeculative?: boolean;
  };
  'task-output': { taskId: string; event: AgentEvent };
  'task-retry': { taskId: string; attempt: number; delayMs: number; error: SerializedError };
  'task-end': { taskId: string; result: TaskResult };
  'checkpoint-end': { taskId: string; checkpoint: string; ref: string };
  'rollback-end': { taskId: string; checkpoint: string; reason: string };
  'merge-end': { taskId: string; commit?: string; hasConflict: boolean; conflictFiles: string[] };
  'verify-end': { taskId: string; results: VerificationResult[]; isPassed: boolean };
  'contract-end': { report: ContractReport };
  'judge-end': { iteration: number; verdict: Verdict };
  'iteration-end': { iteration: number; completed: number; failed: number; blocked: number; isProgress: boolean };
  'concurrency-change': { from: number; to: number; reason: string };
  /**
   * A provider's usage limit was reached: its tasks start nothing new until `resumesAt` (the
   * reset plus a margin, or the default wait); running tasks go on. With `onUsageLimit: 'exit'`
   * the run stops resumable instead.
   */
  'run-paused': { providerId: string; reason: string; resumesAt: string; resetsAt?: string; onUsageLimit: 'wait' | 'exit' };
  /** The pause of a provider ended; its tasks start again. */
  'run-resumed': { providerId: string; pausedMs: number };
  /** A task changed the repository beyond its own work (git configuration, hooks, the project checkout); already undone. */
  'repository-tampered': RepositoryTampering;
  /** A task changed the checks themselves (test scripts, runner config, CI, deleted or skipped tests). */
  'check-change': { taskId: string; changes: CheckChange[] };
  /** A task changed files outside the ones it declared. */
  'undeclared-change': { taskId: string; declared: string[]; files: string[] };
  /** A task's merge conflicted; its work is kept at `ref` until it lands on the integration branch. */
  'conflict-kept': { taskId: string; ref: string; baseCommit: string; files: string[] };
  /** A new task worktree is being made ready (`.worktreeinclude` files, dependency folders, setup commands). */
  'provision-start': ProvisionEvents['provision-start'];
  /** It is ready (or not: `isOk: false` with the reason): counts and durations, never a file's content. */
  'provision-finish': ProvisionEvents['provision-finish'];
  warning: { code: string; message: string };
  'run-end': { summary: RunSummary };
}

export type OrchestratorEventName = keyof OrchestratorEventMap;

/** What a listener receives: the payload plus run id, a sequence number and a timestamp. */
export type EventEnvelope<K extends OrchestratorEventName = OrchestratorEventName> = {
  [N in K]: { type: N; runId: string; seq: number; timestamp: string } & OrchestratorEventMap[N];
}[K];

/** Listener map for eventemitter3, so `on('task-end', e => …)` is typed. */
export type OrchestratorListeners = {
  [K in OrchestratorEventName]: (event: EventEnvelope<K>) => void;
} & { event: (event: EventEnvelope) => void };
