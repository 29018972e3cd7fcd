/**
 * The one place where the CLI wires the SDK together: the provider named by `llm.provider`,
 * the Orchestrator with loadConfig, git safety's preflight (the git workspace is the
 * Orchestrator's own default in a repository), the contract verifier and integration registry,
 * the context store and the wiki learner. The contracts and context packages are loaded when an
 * orchestrator is built (not when the CLI starts): by then preflight's probes run in other
 * processes beside the loading.
 */
import {
  type LLMProviderV1,
  type Config,
  ConfigError,
  type ConfigOverrides,
  type ContractReport,
  createOrchestrator,
  type EventEnvelope,
  formatPreflightReport,
  loadConfig,
  type Plan,
  type PreflightInput,
  type PreflightProbes,
  type PreflightReport,
  type PurposeProvider,
  RollbackManager,
  runPreflight,
  type RunStore,
  type RunSummary,
} from '@qoder-orch/core';
import { AI_SDK_PREFIX, createProvider } from '@qoder-orch/providers';

/** The Orchestrator as the CLI drives it (core's class has this shape). */
export interface CliOrchestrator {
  readonly runId: string;
  on(event: 'event', listener: (event: EventEnvelope) => void): unknown;
  plan(objective: string, options?: { abortSignal?: AbortSignal }): Promise<Plan>;
  run(objective: string, options?: { abortSignal?: AbortSignal }): Promise<RunSummary>;
  resume(runId: string, options?: { abortSignal?: AbortSignal }): Promise<RunSummary>;
}

/** defaults < config file < QODER_ORCH_* environment < flags (core's loadConfig). */
export async function loadCliConfig(options: { projectDir: string; configPath?: string; env: Readonly<Record<string, string | undefined>>; overrides: ConfigOverrides }): Promise<{ config: Config; file?: string }> {
  return loadConfig(options);
}

/** `--llm-provider`: a built-in name (`qoder`, `claude`, `codex`, `gemini` …) or a module path, resolved against the current directory. */
export async function resolveProvider(name: string, options: { cwd: string }): Promise<LLMProviderV1> {
  return createProvider(name, {}, { cwd: options.cwd });
}

/**
 * `llm.plan_provider` / `llm.judge_provider` (`--plan-provider`, `--judge-provider`): a name
 * as `--llm-provider` takes, usually `ai-sdk:<provider>/<model>`, with a base URL and the key's
 * variable for AI SDK models. Absent: `undefined` (the run's provider does it).
 */
export async function resolvePurposeProvider(choice: PurposeProvider | undefined, options: { cwd: string; key: string }): Promise<LLMProviderV1 | undefined> {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return createProvider(choice, {}, { cwd: options.cwd });
  const settings = { ...(choice.baseUrl === undefined ? {} : { baseURL: choice.baseUrl }), ...(choice.apiKeyEnv === undefined ? {} : { apiKeyEnv: choice.apiKeyEnv }) };
  if (Object.keys(settings).length > 0 && !choice.name.trim().toLowerCase().startsWith(AI_SDK_PREFIX)) {
    throw new ConfigError([{ path: `${options.key}.base_url`, message: `"${choice.name}" is not an AI SDK model`, expected: 'base_url and api_key_env only with an ai-sdk:<provider>/<model> name' }]);
  }
  return createProvider(choice.name, settings, { cwd: options.cwd });
}

export interface BuildOrchestratorInput {
  projectDir: string;
  config: Config;
  provider: LLMProviderV1;
  /** Plans instead of `provider` (`llm.plan_provider`). */
  planProvider?: LLMProviderV1;
  /** Judges instead of `provider` (`llm.judge_provider`). */
  judgeProvider?: LLMProviderV1;
  runStore: RunStore;
  /** Values the run must never write, print or commit (the orchestrator adds the environment's and the project's dotenv secrets). */
  secretValues?: readonly string[];
  /** `--branch` / `--pr`: the run works on a branch of its own (`true`: `qoder-orch/run-<run-id>`). */
  branch?: string | true;
  /** Told about every optional part this build cannot provide. */
  warn: (code: string, message: string) => void;
  /** Preflight checks already started for this project (`startPreflightProbes`); preflight takes their answers. */
  probes?: PreflightProbes;
}

/** Core's own renderers for the VALIDATION REPORT and API CONTRACT VERIFICATION blocks. */
export async function coreFormatters(): Promise<{ formatPreflightReport: (report: PreflightReport) => string; formatContractReport: (report: ContractReport) => string }> {
  const { formatContractReport } = await import('@qoder-orch/contracts');
  return { formatPreflightReport, formatContractReport };
}

/** `--validate-only`: git safety's pre-flight checks alone (the VALIDATION REPORT). */
export async function validateProject(input: { projectDir: string; provider: LLMProviderV1; completionProviders?: readonly LLMProviderV1[]; config: Config; abortSignal?: AbortSignal; probes?: PreflightProbes }): Promise<PreflightReport> {
  return runPreflight(input);
}

/** The Orchestrator with everything this build has: preflight, context, contracts, registry, wiki learner (git workspace: core's default). */
export async function buildOrchestrator(input: BuildOrchestratorInput): Promise<CliOrchestrator> {
  const [{ ContractVerifier, createIntegrationRegistry }, { contextStoreOptionsFromConfig, createContextStore, createWikiLearner }] = await Promise.all([import('@qoder-orch/contracts'), import('@qoder-orch/context')]);
  const registry = createIntegrationRegistry({ projectDir: input.projectDir });
  const contractVerifier = new ContractVerifier({ registry });
  const context = createContextStore(contextStoreOptionsFromConfig(input.config, input.projectDir));
  context.on('warning', (warning) => input.warn(warning.code, warning.message));
  const learner = createWikiLearner({ projectDir: input.projectDir, autoApply: input.config.learning.autoApply });
  return createOrchestrator({
    projectDir: input.projectDir,
    provider: input.provider,
    ...(input.planProvider ? { planProvider: input.planProvider } : {}),
    ...(input.judgeProvider ? { judgeProvider: input.judgeProvider } : {}),
    config: input.config,
    runStore: input.runStore,
    ...(input.secretValues ? { secretValues: input.secretValues } : {}),
    ...(input.branch === undefined ? {} : { branch: input.branch }),
    context,
    deviations: { propose: (deviation) => learner.propose({ origin: 'agent', runId: deviation.runId, taskId: deviation.taskId, deviations: [...deviation.deviations], evidence: [deviation.evidence] }) },
    contractVerifier,
    registry,
    preflight: (preflightInput: PreflightInput) => runPreflight({ ...preflightInput, ...(input.probes === undefined ? {} : { probes: input.probes }) }),
  });
}

export interface CheckpointEntry {
  runId: string;
  taskId: string;
  ref: string;
  commit: string;
  createdAt?: string;
  /** Kept by `prune` unless the run is named. */
  isFailedRun?: boolean;
}

/** Git safety's RollbackManager for the project. */
function checkpointManager(projectDir: string): RollbackManager {
  return new RollbackManager({ projectDir });
}

/** `qoder-orchestrate checkpoints list`. */
export async function listProjectCheckpoints(options: { projectDir: string; runId?: string }): Promise<CheckpointEntry[]> {
  return checkpointManager(options.projectDir).listCheckpoints(options.runId === undefined ? {} : { runId: options.runId });
}

/**
 * `qoder-orchestrate checkpoints prune`: every run's private refs (checkpoints, leftovers, merge
 * records) except those of failed runs (kept for inspection); with a run named, that run's
 * whatever its outcome. Returns how many refs went.
 */
export async function pruneProjectCheckpoints(options: { projectDir: string; runId?: string }): Promise<number> {
  const result = await checkpointManager(options.projectDir).pruneCheckpoints(options.runId === undefined ? { keepFailed: true } : { runId: options.runId, keepFailed: false });
  return result.removedRefs.length;
}
