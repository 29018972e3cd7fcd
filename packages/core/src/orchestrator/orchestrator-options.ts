import type { Config, ConfigOverrides } from '../config/config-schema';
import type { ContractReport, ContractVerifier } from '@qoder-orch/spec';
import type { TaskWorkspace } from '../git/task-workspace';
import type { Judge } from '../judge/judge';
import type { PreflightReport } from '../preflight/preflight-report';
import type { RunStore } from '../run-store/run-store';
import type { Plan } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';
import type { LLMProviderV1 } from '@qoder-orch/spec';
import type { ContextSource } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';
import type { DurationHistory } from '../scheduler/duration-history';
import type { ApproveCommands } from '../commands/command-review';

/**
 * Interfaces shared between tasks (models, endpoints …), recorded from results and given to
 * dependents. `createIntegrationRegistry` implements it.
 */
export interface InterfaceRegistry {
  /** Records what a task reported defining (the `interfaces` of its result). */
  record(taskId: string, interfaces: readonly unknown[]): Promise<unknown>;
  /** The text of what the task's dependencies defined, for its prompt; empty when nothing. */
  forTask(task: Task, plan: Plan): Promise<string>;
  /** Keeps the contract's endpoints for later prompts. */
  recordContract?(report: ContractReport): Promise<void>;
  /** The file it keeps, so the run can commit it with its records. */
  readonly path?: string;
}

/** Receives what an agent reported about the project's documentation being wrong. */
export interface DeviationSink {
  propose(input: { runId: string; taskId: string; deviations: ReadonlyArray<{ wikiSource?: string | undefined; observed: string }>; evidence: string }): Promise<unknown>;
}

export interface PreflightInput {
  projectDir: string;
  provider: LLMProviderV1;
  /** `planProvider` and `judgeProvider` when given: checked like `provider`. */
  completionProviders?: readonly LLMProviderV1[];
  config: Config;
  subagents: readonly SubagentDefinition[];
  abortSignal?: AbortSignal;
}

export interface OrchestratorOptions {
  /** The project (usually a git repository) the agents work in. */
  projectDir: string;
  /** Plans, judges and runs tasks, unless a subagent names another provider (or `planProvider`, `judgeProvider` are given). */
  provider: LLMProviderV1;
  /**
   * Plans instead of `provider`: a completion, so any model will do (an `AiSdkProvider` of
   * @qoder-orch/providers answers in one HTTP request). @default provider
   */
  planProvider?: LLMProviderV1;
  /** Judges the evidence instead of `provider`; not used when `judge` is given. @default provider */
  judgeProvider?: LLMProviderV1;
  /** Providers by name, for subagents whose front matter says `provider: codex`. */
  providers?: Readonly<Record<string, LLMProviderV1>>;
  /** A resolved config (from `loadConfig`) or partial overrides merged onto the defaults. */
  config?: Config | ConfigOverrides;
  /** @default loadSubagents(projectDir): the builtins overridden by `subagents/`, `.qoder/agents/`, `.claude/agents/` */
  subagents?: readonly SubagentDefinition[];
  /** @default a FileRunStore in `<projectDir>/.qoder-orch/runs` */
  runStore?: RunStore;
  /** How tasks get a place to work. @default a directory workspace (no checkpoints) */
  workspace?: TaskWorkspace;
  /** Project knowledge for planning and for each task. */
  context?: ContextSource;
  /** Checks frontend, backend and contract agree (`ContractVerifier` of @qoder-orch/contracts); its report is evidence for the judge. */
  contractVerifier?: ContractVerifier;
  /** Shared interfaces between tasks. */
  registry?: InterfaceRegistry;
  /** Where agents' reports that the documentation is wrong go (a wiki learner). */
  deviations?: DeviationSink;
  /** @default createEvidenceJudge({ provider: judgeProvider ?? provider }) */
  judge?: Judge;
  /** Runs first; a report that did not pass ends the run with `PREFLIGHT_FAILED`. */
  preflight?: (input: PreflightInput) => Promise<PreflightReport>;
  /**
   * Measured task durations from earlier runs, for the scheduler's critical-path priority.
   * `false` turns learning off. @default a history in `<projectDir>/.qoder-orch/history/durations.json`
   */
  durationHistory?: DurationHistory | false;
  /**
   * Where the run's plans are kept in the project: `<dir>/plan.json` (the latest) and
   * `<dir>/plan-iteration-<n>.json` (each iteration's), with the integration registry beside
   * them, committed at the end of each iteration. `false`: not kept.
   * @default 'specs'
   */
  specsDirectory?: string | false;
  /**
   * More values to keep out of everything the run writes, emits, returns and commits, besides
   * the environment's secrets and the project's dotenv secrets (found on their own).
   */
  secretValues?: readonly string[];
  /**
   * Work on a new branch made from the current HEAD instead of the checked-out branch, which
   * stays untouched (git workspaces only): its name, or `true` for `qoder-orch/run-<runId>`.
   * An existing branch is refused (`BRANCH_EXISTS`), an invalid name too (`BRANCH_INVALID`);
   * a resumed run goes back to the branch it recorded. At the end the checkout is back where it
   * was, and the summary's `branch` names the run's branch and its last commit.
   */
  branch?: string | true;
  /** @default a new sortable id */
  runId?: string;
  /** For jitter; tests pass a fixed one. @default Math.random */
  random?: () => number;
}

export interface RunOptions {
  abortSignal?: AbortSignal;
  /** Called with each iteration's plan before anything runs; `false` stops the run as cancelled. */
  approve?: (plan: Plan, iteration: number) => Promise<boolean> | boolean;
  /**
   * With `validation.command_policy.mode: ask`: asked, before anything runs, about the plan's
   * verify commands that are neither allowed nor refused by the policy; one boolean per
   * command. Absent: those commands are refused.
   */
  approveCommands?: ApproveCommands;
}
