import type { Config } from '../config/config-schema';
import type { ContractReport } from '@qoder-orch/spec';
import type { TaskWorkspace } from '../git/task-workspace';
import type { RepositoryPaths } from '../git/repository';
import type { Judge } from '../judge/judge';
import type { EventRecorder } from './event-recorder';
import type { OrchestratorOptions, RunOptions } from '../orchestrator/orchestrator-options';
import type { RunState } from '../run-store/run-state';
import type { RunStore } from '../run-store/run-store';
import type { StopReason } from '@qoder-orch/spec';
import type { DurationHistory } from '../scheduler/duration-history';
import type { Scheduler } from '../scheduler/scheduler';
import type { SecretRedactor } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import type { UsageLimitGate, UsageLimitPause } from '../pipeline/usage-limit-gate';

/** What the Orchestrator gives every run: the same for all runs of one orchestrator. */
export interface RunSetup {
  readonly options: OrchestratorOptions;
  readonly projectDir: string;
  readonly config: Config;
  readonly judge: Judge;
  /** The id the judge's spend is recorded under: its provider's, or `judge` for a judge given whole. */
  readonly judgeProviderId: string;
  /** The store as given (the run wraps it in one that redacts). */
  readonly runStore: RunStore;
  /** The project's repository, looked up once (undefined outside one). */
  repository(): Promise<RepositoryPaths | undefined>;
  /** The workspace given, else one that fits the project and the configuration. */
  resolveWorkspace(): Promise<TaskWorkspace>;
  loadSubagents(): Promise<readonly SubagentDefinition[]>;
}

/** How a run ends, once a step has decided it. */
export interface RunEnding {
  stopReason: StopReason;
  error?: unknown;
}

/**
 * One run as data: everything the steps (begin, plan, execute, judge, decide, end) read and
 * change, in one object instead of variables shared by one long function. `state` is what is
 * persisted; the rest lives for this session of the run only.
 */
export interface RunContext extends RunSetup {
  readonly state: RunState;
  readonly runOptions: RunOptions;
  /** The run's store: everything written to it is redacted. */
  readonly store: RunStore;
  readonly events: EventRecorder;
  /** Every event, stored file and committed record of the run passes through it. */
  readonly redactor: SecretRedactor;
  readonly secretValues: readonly string[];
  /** Aborted by the user's signal or by the run itself (budget). */
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** Started as a resume; cleared once the interrupted iteration is picked up again. */
  isResume: boolean;
  workspace: TaskWorkspace;
  /** The workspace was begun, so it must be ended. */
  isBegun: boolean;
  /**
   * The workspace's beginning while the first plan is asked for (a fresh run): the plan step
   * waits for it before the plan is used, and stops the planning call if it fails.
   */
  beginning: Promise<void> | undefined;
  subagents: readonly SubagentDefinition[];
  /** Spent so far, tasks and overhead, this session and earlier ones. */
  runCost: number;
  isBudgetExceeded: boolean;
  /** Why the run stopped itself as a cancelled run would (an executor's lost queue), reported in its summary. */
  stopError: unknown;
  contractReport: ContractReport | undefined;
  speculation: { started: number; kept: number; rerun: number; abandoned: number; wastedMs: number };
  durationHistory: DurationHistory | undefined;
  /** The last iteration's scheduler: its concurrency (lowered by rate limits) carries over. */
  scheduler: Scheduler | undefined;
  lastRateLimitAt: number;
  /** The judge's provider started ahead of the verdict (`Judge.warmUp`): cancelled when the run ends, if it was not used. */
  judgeWarmUp: { cancel(): void } | undefined;
  /** The planner's provider started at the run's start (`Planner.warmUp`): cancelled once the first plan is made or the run ends. */
  planWarmUp: { cancel(): void } | undefined;
  /** Providers paused by their usage limit; shared by the iterations of this session. */
  readonly usageLimitGate: UsageLimitGate;
  /** Set when `onUsageLimit: 'exit'` stopped the run. */
  usageLimitStop: UsageLimitPause | undefined;
  /** The failures of the iteration before, to tell whether this one changed anything. */
  previousSignature: string | undefined;
  /**
   * Serialised, coalesced writes of what changed in `state`. `taskId`: only that task's state
   * changed (replaced as a new object), so the others need not be compared.
   */
  saveState(taskId?: string): Promise<void>;
  /** Writes the whole state (a snapshot of the journal). */
  snapshotState(): Promise<void>;
  recordActiveTime(): void;
}
