/**
 * @qoder-orch/core: objective → validated task DAG → parallel agent execution → judged iterations.
 * This file is the package's only public entry; every export is named here.
 */

// ── errors ──────────────────────────────────────────────────────────────────
export { OrchestratorError, serializeError } from './errors/orchestrator-error';
export type { ErrorCode, OrchestratorErrorOptions, SerializedError } from './errors/orchestrator-error';
export { ProviderError, RETRYABLE_PROVIDER_CODES } from './errors/provider-error';
export type { ProviderErrorOptions } from './errors/provider-error';
export { PlanError } from './errors/plan-error';
export type { PlanIssue, PlanIssueKind } from './errors/plan-error';
export { ConfigError } from './errors/config-error';
export type { ConfigIssue } from './errors/config-error';

// ── provider and context specifications ─────────────────────────────────────
export type {
  AgentEvent,
  AgentProvider,
  AgentProviderV1,
  CheckOptions,
  CheckProblem,
  CheckResult,
  CompleteOptions,
  CompleteResult,
  PermissionDenial,
  PermissionMode,
  RunTaskOptions,
  RunTaskResult,
} from './spec/agent-provider';
export { UsageSchema, addUsage, emptyUsage } from './spec/usage';
export type { Usage } from './spec/usage';
export type {
  ContextChunk,
  ContextRefreshResult,
  ContextSource,
  ContextStats,
  ScoredChunk,
  TaskContext,
} from './spec/context-source';

// ── schemas ─────────────────────────────────────────────────────────────────
export { TASK_ID_PATTERN, TaskSchema, VerifyCommandSchema } from './schemas/task';
export type { Task, TaskInput, VerifyCommand } from './schemas/task';
export { MAX_PLAN_TASKS, PlanSchema } from './schemas/plan';
export type { Plan, PlanInput } from './schemas/plan';
export { TaskResultSchema, TaskStatusSchema, VerificationResultSchema } from './schemas/task-result';
export type { TaskResult, TaskStatus, VerificationResult } from './schemas/task-result';
export { VerdictSchema } from './schemas/verdict';
export type { Verdict } from './schemas/verdict';
export { RunSummarySchema, StopReasonSchema } from './schemas/run-summary';
export type { RunSummary, StopReason } from './schemas/run-summary';

// ── events ──────────────────────────────────────────────────────────────────
export type {
  EventEnvelope,
  OrchestratorEventMap,
  OrchestratorEventName,
  OrchestratorListeners,
} from './events/event-map';

// ── config ──────────────────────────────────────────────────────────────────
export { ConfigSchema } from './config/config-schema';
export type { Config, ConfigInput, ConfigOverrides } from './config/config-schema';
export { CONFIG_FILE_NAME, loadConfig, resolveConfig } from './config/load-config';
export type { LoadConfigOptions, LoadedConfig } from './config/load-config';
export { ENVIRONMENT_KEYS, configFromEnvironment } from './config/environment-overrides';

// ── subagents ───────────────────────────────────────────────────────────────
export { SUBAGENT_NAME_PATTERN, SubagentFrontMatterSchema } from './subagents/subagent-schema';
export type { SubagentDefinition } from './subagents/subagent-schema';
export { parseSubagent } from './subagents/parse-subagent';
export { splitFrontMatter } from './subagents/split-front-matter';
export type { FrontMatterParts } from './subagents/split-front-matter';
export { BUILTIN_SUBAGENT_NAMES, builtinSubagents } from './subagents/builtin-subagents';
export { SUBAGENT_DIRECTORIES, loadSubagents } from './subagents/load-subagents';
export type { LoadSubagentsOptions } from './subagents/load-subagents';

// ── command policy: what a plan's verify commands may run ───────────────────
export { classifyCommand } from './commands/command-policy';
export type { ClassifyCommandInput, CommandClassification, CommandPolicy, CommandPolicyMode, CommandVerdict } from './commands/command-policy';
export { matchesAllowPattern } from './commands/allow-pattern';
export { AGENT_ENVIRONMENT_NAMES, agentEnvironment, isAgentEnvironmentName } from './commands/agent-environment';
export { CommandReviewSchema, commandKey } from './commands/command-review';
export type { ApproveCommands, CommandApprovalRequest, CommandReview } from './commands/command-review';
export { ProjectCommandsSchema, readProjectCommands } from './commands/project-commands';
export type { ProjectCommands } from './commands/project-commands';
export { refusedCheck, screenPlanCommands } from './commands/screen-plan-commands';
export type { ScreenPlanCommandsOptions } from './commands/screen-plan-commands';

// ── planner ─────────────────────────────────────────────────────────────────
export { Planner, planJsonSchema } from './planner/planner';
export type { PlanOutcome, PlanRequest, PlannerOptions } from './planner/planner';
export { validatePlan } from './planner/validate-plan';
export type { ValidatePlanOptions } from './planner/validate-plan';
export { extractJson, jsonCandidates } from './planner/extract-json';
export { PLAN_PROMPT_MARKER, buildPlanPrompt } from './planner/plan-prompt';

// ── scheduler ───────────────────────────────────────────────────────────────
export { Scheduler } from './scheduler/scheduler';
export type { ScheduleResult, SchedulerOptions } from './scheduler/scheduler';
export { longestRemainingPath, planEstimate } from './scheduler/critical-path';
export type { DurationEstimator } from './scheduler/critical-path';
export { filesOverlap, patternsOverlap } from './scheduler/file-locks';
export type { ExecutionContext, ExecutionOutcome, TaskExecutor } from './scheduler/task-executor';

// ── performance: learned durations ──────────────────────────────────────────
export { DurationHistoryFileSchema, createDurationHistory, sizeBucket } from './scheduler/duration-history';
export type { DurationHistory, DurationHistoryFile, DurationHistoryOptions } from './scheduler/duration-history';

// ── task pipeline ───────────────────────────────────────────────────────────
export { TaskPipeline } from './pipeline/task-pipeline';
export type { TaskPipelineOptions, TaskStateChange } from './pipeline/pipeline-options';
export type { TaskIdentity, TaskPipelineEventName, TaskPipelineEvents } from './pipeline/pipeline-events';
export { describeAgentEvent } from './pipeline/agent-output';
export { speculationConflicts } from './pipeline/speculate';
export type { SpeculativeFootprint } from './pipeline/speculate';

// ── orchestrator ────────────────────────────────────────────────────────────
export { Orchestrator, createOrchestrator } from './orchestrator/orchestrator';
export type { DeviationSink, InterfaceRegistry, OrchestratorOptions, PreflightInput, RunOptions } from './orchestrator/orchestrator-options';
export { createRunId } from './orchestrator/run-id';
export { buildRunSummary } from './orchestrator/run-summary';
export { isRetryableError, withRetry } from './orchestrator/with-retry';
export type { WithRetryOptions } from './orchestrator/with-retry';
export { retryDelayMs, sleep } from './orchestrator/retry-policy';
export type { RetryPolicy } from './orchestrator/retry-policy';
export { AgentReportSchema, TASK_PROMPT_MARKER, buildTaskPrompt, parseAgentReport } from './orchestrator/task-prompt';
export type { AgentReport, TaskPromptInput } from './orchestrator/task-prompt';

// ── run store ───────────────────────────────────────────────────────────────
export type { RunStore } from './run-store/run-store';
export { FileRunStore } from './run-store/file-run-store';
export type { FileRunStoreOptions } from './run-store/file-run-store';
export { MemoryRunStore } from './run-store/memory-run-store';
export { writeFileAtomic } from './run-store/atomic-write';
export { RunStateSchema, TaskStateSchema } from './run-store/run-state';
export type { RunState, TaskState } from './run-store/run-state';

// ── git: workspace, checkpoints, worktrees ──────────────────────────────────
export type {
  CompleteTaskOptions,
  CompletedTask,
  DiscardTaskOptions,
  InterruptedTask,
  PreparedTask,
  RepositoryTampering,
  TaskWorkspace,
  WorkspaceBeginOptions,
  WorkspaceBeginResult,
} from './git/task-workspace';
export { createDirectoryWorkspace } from './workspace/directory-workspace';
// ── git safety: checkpoints, rollback, worktrees, preflight (issue 5) ───────
export { EMPTY_TREE, initRepository, isGitRepository } from './git/repository';
export type { InitRepositoryOptions } from './git/repository';
export { DEFAULT_GIT_IDENTITY } from './git/git-identity';
export { SAFE_GIT_CONFIG, SAFE_GIT_UNSAFE_OPTIONS } from './git/git-client';
export type { GitIdentity } from './git/git-identity';
export { RollbackManager } from './git/rollback-manager';
export { WorktreeManager } from './git/worktree-manager';
export { defaultWorktreeRoot } from './git/worktree-location';
export { listTaskWorktrees, pruneTaskWorktrees } from './git/task-worktrees';
export type { PrunedTaskWorktrees, TaskWorktreesOptions } from './git/task-worktrees';
export type { ListedWorktree, TaskWorktree, WorktreeManagerOptions } from './git/worktree-manager';
export { createGitWorkspace } from './workspace/git-workspace';
export type { GitWorkspaceOptions } from './workspace/git-workspace';
export type { PrepareTaskOptions, WorkspaceEndResult } from './git/task-workspace';
export type {
  Checkpoint,
  CheckpointInfo,
  PruneCheckpointsOptions,
  RollbackManagerOptions,
  RollbackOptions,
  RollbackResult,
  UserWorkRestoreResult,
} from './git/rollback-manager';
export { runPreflight } from './preflight/run-preflight';
export type { PreflightOptions } from './preflight/run-preflight';
export { formatPreflightReport } from './preflight/format-preflight-report';
export { MINIMUM_GIT_VERSION } from './git/git-version';

// ── preflight ───────────────────────────────────────────────────────────────
export type { PreflightCheck, PreflightReport } from './preflight/preflight-report';

// ── contracts and evidence ──────────────────────────────────────────────────
export type {
  ContractChecker,
  ContractFinding,
  ContractFindingKind,
  ContractReport,
  Endpoint,
} from './contracts/contract-report';
export type { Evidence, Judge, JudgeInput, JudgeOutput } from './judge/judge';
export { createEvidenceJudge, verdictJsonSchema } from './judge/evidence-judge';
export type { EvidenceJudgeOptions } from './judge/evidence-judge';
export { findEvidenceFailures, latestResults } from './judge/evidence-rules';
export type { EvidenceFailure } from './judge/evidence-rules';
export { JUDGE_PROMPT_MARKER } from './judge/judge-prompt';
export { collectProjectChecks, runVerification } from './judge/run-verification';
export type { CollectProjectChecksOptions, RunVerificationOptions } from './judge/run-verification';
export { REDACTED, redactOutput, secretValuesFrom } from './judge/redact-output';
export { MIN_NAMED_SECRET_LENGTH, urlPasswords } from './judge/redact-output';
export { projectEnvFileValues, projectEnvSecretValues } from './judge/env-file-secrets';
export { createSecretRedactor, MIN_SECRET_LENGTH } from './secrets/secret-redactor';
export type { SecretRedactor } from './secrets/secret-redactor';
export { encodedForms } from './secrets/secret-encodings';
export { createRunRedactor, runSecretValues } from './secrets/run-secrets';
export type { RunSecretsInput } from './secrets/run-secrets';
export { redactingRunStore } from './run-store/redacting-run-store';
export { TestSummarySchema, describeTestSummary, parseTestSummary } from './judge/test-summary';
export type { TestSummary } from './judge/test-summary';
export { CheckChangeSchema } from './schemas/check-change';
export type { CheckChange } from './schemas/check-change';
export { describeCheckChange, detectCheckChanges, isTestFile } from './judge/check-changes';
export { conflictChangeLanded } from './workspace/conflict-landed';

// ── contract verification and integration registry (issue 7) ────────────────
export { ContractReportSchema } from './contracts/contract-report';
export { createContractVerifier } from './contracts/contract-verifier';
export type { ContractVerifierOptions } from './contracts/contract-verifier';
export { touchesApiSurface } from './contracts/contract-relevance';
export type { ContractRelevanceOptions } from './contracts/contract-relevance';
export { formatContractReport } from './contracts/format-contract-report';
export { OPENAPI_CANDIDATES } from './contracts/openapi-contract';
export { DEFAULT_EXCLUDE as DEFAULT_CONTRACT_EXCLUDE } from './contracts/project-files';
export type { ExtractedRoute, RouteExtraction, RouteExtractor, RouteImport, RouteMount } from './contracts/route-extractor';
export { HTTP_METHODS, joinRoutePaths, matchRoutePaths, normaliseRoutePath } from './contracts/route-path';
export type { PathMatch } from './contracts/route-path';
export { DEFAULT_ROUTE_EXTRACTORS } from './contracts/extractors/default-extractors';
export { extractCallRoutes } from './contracts/call-routes';
export type { CallRouteOptions } from './contracts/call-routes';
export { expressExtractor } from './contracts/extractors/express-extractor';
export { fastifyExtractor } from './contracts/extractors/fastify-extractor';
export { koaExtractor } from './contracts/extractors/koa-extractor';
export { honoExtractor } from './contracts/extractors/hono-extractor';
export { nestjsExtractor } from './contracts/extractors/nestjs-extractor';
export { nextjsExtractor } from './contracts/extractors/nextjs-extractor';
export { fastapiExtractor } from './contracts/extractors/fastapi-extractor';
export { flaskExtractor } from './contracts/extractors/flask-extractor';
export { fetchExtractor } from './contracts/extractors/fetch-extractor';
export { axiosExtractor } from './contracts/extractors/axios-extractor';
export { kyExtractor } from './contracts/extractors/ky-extractor';
export { createIntegrationRegistry, endpointOfEntry } from './registry/integration-registry';
export type { IntegrationRegistry, IntegrationRegistryOptions } from './registry/integration-registry';
export { INTERFACE_KINDS, RegistryEntrySchema, RegistryFileSchema, SharedInterfaceSchema } from './registry/registry-schema';
export type { InterfaceKind, RegistryEntry, RegistryFile, SharedInterfaceInput } from './registry/registry-schema';
export { mentionsTask, supersededResults } from './judge/evidence-rules';
export { PinnedTestCommandSchema, detectTestCommand, pinTestCommand } from './judge/detect-test-command';
export type { PinnedTestCommand } from './judge/detect-test-command';

// ── reliability (issue 9) ───────────────────────────────────────────────────
export { redactJson } from './judge/redact-output';
