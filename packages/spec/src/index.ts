/**
 * @qoder-orch/spec: what providers, context sources, the engine and tools agree on. Depends on
 * zod (plus yaml for subagent front matter and picomatch for file patterns), never on the engine.
 */

// Writing a provider
export type {
  AgentEvent,
  CheckOptions,
  CheckProblem,
  CheckResult,
  CompleteOptions,
  CompleteResult,
  LLMProviderV1,
  PermissionDenial,
  PermissionMode,
  RunTaskOptions,
  RunTaskResult,
  WarmUp,
  WarmUpOptions,
} from './provider/llm-provider';
export { UsageSchema, addUsage, emptyUsage } from './provider/usage';
export type { Usage } from './provider/usage';
export { extractJson, jsonCandidates } from './util/extract-json';
export type { ExtractedJson } from './util/extract-json';
export { AGENT_ENVIRONMENT_NAMES, agentEnvironment, isAgentEnvironmentName } from './environment/agent-environment';

// Writing a context source
export type { ContextChunk, ContextRefreshResult, ContextSource, ContextStats, ScoredChunk, TaskContext } from './context/context-source';

// Tasks, plans, results and verdicts
export { TASK_ID_PATTERN, TaskSchema, VerifyCommandSchema } from './schemas/task';
export type { Task, TaskInput, VerifyCommand } from './schemas/task';
export { MAX_PLAN_TASKS, PlanSchema } from './schemas/plan';
export type { Plan, PlanInput } from './schemas/plan';
export { SerializedErrorSchema, TaskResultSchema, TaskStatusSchema, VerificationResultSchema } from './schemas/task-result';
export type { TaskResult, TaskStatus, VerificationResult } from './schemas/task-result';
export { CriterionVerdictSchema, VerdictSchema } from './schemas/verdict';
export type { Verdict } from './schemas/verdict';
export { ProviderSpendSchema, RunSummarySchema, StopReasonSchema } from './schemas/run-summary';
export type { ProviderSpend, RunSummary, StopReason } from './schemas/run-summary';
export { CheckChangeSchema } from './schemas/check-change';
export type { CheckChange } from './schemas/check-change';
export { KeptConflictSchema } from './schemas/kept-conflict';
export type { KeptConflict } from './schemas/kept-conflict';
export { TestSummarySchema, describeTestSummary, parseTestSummary } from './schemas/test-summary';
export type { TestSummary } from './schemas/test-summary';

// Contract verification
export { ContractReportSchema } from './contracts/contract-report';
export type { ContractFinding, ContractFindingKind, ContractReport, ContractVerifier, Endpoint, FindingCounterpart } from './contracts/contract-report';
export { mayTouchApiSurface } from './contracts/may-touch-api';

// Subagents
export { SUBAGENT_NAME_PATTERN, SubagentFrontMatterSchema } from './subagents/subagent-schema';
export type { SubagentDefinition } from './subagents/subagent-schema';
export { parseSubagent } from './subagents/parse-subagent';
export { splitFrontMatter } from './subagents/split-front-matter';
export type { FrontMatterParts } from './subagents/split-front-matter';
export { BUILTIN_SUBAGENT_NAMES, builtinSubagents } from './subagents/builtin-subagents';

// Errors with stable codes
export { OrchestratorError, serializeError } from './errors/orchestrator-error';
export type { ErrorCode, OrchestratorErrorOptions, SerializedError } from './errors/orchestrator-error';
export { ProviderError, RETRYABLE_PROVIDER_CODES } from './errors/provider-error';
export type { ProviderErrorOptions } from './errors/provider-error';
export { PlanError } from './errors/plan-error';
export type { PlanIssue, PlanIssueKind } from './errors/plan-error';
export { ConfigError } from './errors/config-error';
export type { ConfigIssue } from './errors/config-error';

// Keeping secrets out of output
export { MIN_SECRET_LENGTH, REDACTED, createSecretRedactor, redactorFor } from './redaction/secret-redactor';
export type { SecretRedactor } from './redaction/secret-redactor';
export { encodedForms } from './redaction/secret-encodings';
export { MIN_NAMED_SECRET_LENGTH, PUBLIC_ENVIRONMENT_NAMES, redactJson, redactOutput, secretValuesFrom, tailOf, urlPasswords } from './redaction/redact-output';
export { SECRET_ENV_FILES, projectEnvFileValues, projectEnvSecretValues } from './redaction/env-file-secrets';
export { parseEnvText, readEnvFile } from './env/env-file';
export type { EnvFileEntry } from './env/env-file';

// Files, paths and git settings shared by the engine and the packages around it
export { syncDirectory, writeFileAtomic } from './util/atomic-write';
export { coalescedWriter, SerialQueue } from './util/serial-queue';
export { filesOverlap, patternsOverlap } from './paths/file-patterns';
export { SAFE_GIT_CONFIG, SAFE_GIT_UNSAFE_OPTIONS } from './git/safe-git-config';
