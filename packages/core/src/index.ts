/**
 * @qoder-orch/core: the engine. An objective becomes a validated task DAG, run in parallel by
 * agents through an `LLMProviderV1`, judged by evidence. The specifications (provider, context
 * source, schemas, errors) live in @qoder-orch/spec; the common ones are re-exported here so a
 * script needs one import.
 */

// Running an objective
export { Orchestrator, createOrchestrator } from './orchestrator/orchestrator';
export type { DeviationSink, InterfaceRegistry, OrchestratorOptions, PreflightInput, RunOptions } from './orchestrator/orchestrator-options';
export { createRunId } from './orchestrator/run-id';
export type { EventEnvelope, OrchestratorEventMap, OrchestratorEventName, OrchestratorListeners } from './events/event-map';

// Configuration
export { ConfigSchema, PurposeProviderSchema } from './config/config-schema';
export type { Config, ConfigInput, ConfigOverrides, PurposeProvider } from './config/config-schema';
export { CONFIG_FILE_NAME, loadConfig, resolveConfig } from './config/load-config';
export type { LoadConfigOptions, LoadedConfig } from './config/load-config';
export { ENVIRONMENT_KEYS, configFromEnvironment } from './config/environment-overrides';

// Providers with events: wraps any LLMProviderV1 (the spec, from @qoder-orch/spec)
export { LLMProvider } from './provider/llm-provider';
export type { LLMProviderEvents } from './provider/llm-provider';

// Planning
export { Planner } from './planner/planner';
export type { PlanOutcome, PlanRequest, PlannerEvents, PlannerOptions } from './planner/planner';
export { validatePlan } from './planner/validate-plan';
export type { ValidatePlanOptions } from './planner/validate-plan';
export { PLAN_PROMPT_MARKER } from './planner/plan-prompt';

// Scheduling
export { Scheduler } from './scheduler/scheduler';
export type { BatchPolicy, ScheduleResult, SchedulerEvents, SchedulerOptions } from './scheduler/scheduler';
export type { ExecutionContext, ExecutionOutcome, TaskExecutor } from './scheduler/task-executor';
export { TypedEmitter } from './shared/typed-emitter';
export type { EventPayloads, ListenersOf } from './shared/typed-emitter';
export { longestRemainingPath, planEstimate } from './scheduler/critical-path';
export type { DurationEstimator } from './scheduler/critical-path';
export { createDurationHistory } from './scheduler/duration-history';
export type { DurationHistory, DurationHistoryOptions, DurationHistoryWarning } from './scheduler/duration-history';

// Running tasks
export { TASK_PROMPT_MARKER } from './orchestrator/task-prompt';
export type { AgentReport } from './orchestrator/task-prompt';
export { SUBAGENT_DIRECTORIES, loadSubagents } from './subagents/load-subagents';
export { detectTestCommand } from './judge/detect-test-command';
export type { LoadSubagentsOptions } from './subagents/load-subagents';
export type { ApproveCommands, CommandApprovalRequest, CommandReview } from './commands/command-review';
export type { CommandPolicy, CommandPolicyMode } from './commands/command-policy';

// Running tasks: the task pipeline
export { TaskPipeline } from './pipeline/task-pipeline';
export { UsageLimitGate } from './pipeline/usage-limit-gate';
export type { OnUsageLimit, UsageLimitGateEvents, UsageLimitGateOptions, UsageLimitPause } from './pipeline/usage-limit-gate';
export type { TaskPipelineOptions, TaskStateChange } from './pipeline/pipeline-options';
export type { TaskIdentity, TaskPipelineEventName, TaskPipelineEvents } from './pipeline/pipeline-events';
export { describeAgentEvent } from './pipeline/agent-output';

// Judging by evidence
export { createEvidenceJudge } from './judge/evidence-judge';
export type { EvidenceJudgeOptions } from './judge/evidence-judge';
export type { Evidence, Judge, JudgeInput, JudgeOutput } from './judge/judge';
export { JUDGE_PROMPT_MARKER } from './judge/judge-prompt';

// Keeping run records
export type { RunStore } from './run-store/run-store';
export { FileRunStore } from './run-store/file-run-store';
export type { FileRunStoreOptions } from './run-store/file-run-store';
export { MemoryRunStore } from './run-store/memory-run-store';
export { RunStateSchema, TaskStateSchema } from './run-store/run-state';
export type { RunState, TaskState } from './run-store/run-state';
export { applyRunStateChange } from './run-store/run-state-change';
export type { RunStateChange } from './run-store/run-state-change';
export { createRunRedactor, runSecretValues } from './secrets/run-secrets';
export type { RunSecretsInput } from './secrets/run-secrets';

// Workspaces, checkpoints and worktrees
export type {
  CompleteTaskOptions,
  CompletedTask,
  DiscardTaskOptions,
  InterruptedTask,
  PrepareTaskOptions,
  PreparedTask,
  RepositoryTampering,
  RunBranch,
  TaskWorkspace,
  WorkspaceBeginOptions,
  WorkspaceBeginResult,
  WorkspaceEndResult,
} from './git/task-workspace';
export { createGitWorkspace, SharedTreeWorkspace, WorktreeWorkspace } from './workspace/git-workspace';
export type { GitWorkspaceOptions } from './workspace/git-workspace';
export { createDirectoryWorkspace } from './workspace/directory-workspace';
export { defaultRunBranch } from './workspace/run-branch';

// Results delivered as a branch and a draft pull request
export { deliverPullRequest, pullRequestCommand, pushCommand, shellLine } from './delivery/deliver-pull-request';
export type { DeliverPullRequestOptions, PullRequestDelivery } from './delivery/deliver-pull-request';
export { PULL_REQUEST_BODY_LIMIT, pullRequestBody, pullRequestTitle, pullRequestWorthiness } from './delivery/pull-request-body';
export type { PullRequestBodyInput } from './delivery/pull-request-body';
export { RollbackManager } from './git/rollback-manager';
export type {
  Checkpoint,
  CheckpointInfo,
  PruneCheckpointsOptions,
  RollbackEvent,
  RollbackManagerEvents,
  RollbackManagerOptions,
  RollbackOptions,
  RollbackResult,
  RollbackWarning,
  UserWorkRestoreResult,
} from './git/rollback-manager';
export { WorktreeManager } from './git/worktree-manager';
export type { ListedWorktree, TaskWorktree, WorktreeManagerOptions } from './git/worktree-manager';
export { defaultWorktreeRoot } from './git/worktree-location';
export { WorktreeProvisioner } from './workspace/provision/worktree-provisioner';
export type { ProvisionOptions } from './workspace/provision/worktree-provisioner';
export type { DependencyMode, PortRange, ProvisionDurations, ProvisionEvent, ProvisionEvents, ProvisionResult, ProvisionSettings, WorktreeProvisionerOptions } from './workspace/provision/provision-types';
export { splitCommandLine } from './commands/command-line';
export type { CommandLine } from './commands/command-line';
export { listTaskWorktrees, pruneTaskWorktrees } from './git/task-worktrees';
export { provisionSettingsOf } from './run/run-policies';
export type { ListTaskWorktreesOptions, PrunedTaskWorktrees, PruneTaskWorktreesOptions, TaskWorktreesOptions } from './git/task-worktrees';
export { initRepository, isGitRepository } from './git/repository';
export type { InitRepositoryOptions } from './git/repository';
export { DEFAULT_GIT_IDENTITY } from './git/git-identity';
export type { GitIdentity } from './git/git-identity';
export { MINIMUM_GIT_VERSION } from './git/git-version';
export { headCommit, observeGitSpawns, runGitProcess } from './git/git-client';
export type { GitProcessExit, GitSpawn } from './git/git-client';

// Checking before a run
export { runPreflight } from './preflight/run-preflight';
export { startPreflightProbes } from './preflight/preflight-probes';
export type { PreflightProbes } from './preflight/preflight-probes';
export type { PreflightOptions } from './preflight/run-preflight';
export { formatPreflightReport } from './preflight/format-preflight-report';
export type { PreflightCheck, PreflightReport } from './preflight/preflight-report';

// From @qoder-orch/spec, for scripts that use the engine
export type {
  AgentEvent,
  CheckResult,
  ContractReport,
  ContractVerifier,
  LLMProviderV1,
  RunTaskOptions,
  RunTaskResult,
  SerializedError,
  SubagentDefinition,
  Usage,
} from '@qoder-orch/spec';
export type { Plan, PlanInput, RunSummary, Task, TaskInput, TaskResult, TaskStatus, Verdict, VerificationResult } from '@qoder-orch/spec';
export { PlanSchema, RunSummarySchema, TaskResultSchema, TaskSchema } from '@qoder-orch/spec';
export { ConfigError, OrchestratorError, PlanError, ProviderError, RETRYABLE_PROVIDER_CODES } from '@qoder-orch/spec';
export { builtinSubagents, redactJson, redactOutput, secretValuesFrom } from '@qoder-orch/spec';
