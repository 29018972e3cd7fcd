/**
 * The one place where the CLI wires the SDK together. Pieces that land on `main` from other
 * branches later (the Orchestrator and loadConfig from core; createProvider; the context store;
 * git safety's preflight and checkpoints; contracts) are looked up by name through
 * {@link sdkExport}, so this branch builds before they exist and says clearly what is missing
 * at run time. After the merge, replace each lookup with a static import.
 */
import { isAbsolute, resolve } from 'node:path';
import * as core from '@qoder-orch/core';
import {
  type AgentProvider,
  type Config,
  type ConfigOverrides,
  type ContractChecker,
  type ContractReport,
  type ContextSource,
  type EventEnvelope,
  OrchestratorError,
  type Plan,
  type PreflightReport,
  type RunStore,
  type RunSummary,
} from '@qoder-orch/core';
import * as context from '@qoder-orch/context';
import * as providers from '@qoder-orch/providers';

/** The Orchestrator as the CLI drives it (core's class has this shape). */
export interface CliOrchestrator {
  readonly runId: string;
  on(event: 'event', listener: (event: EventEnvelope) => void): unknown;
  plan(objective: string, options?: { abortSignal?: AbortSignal }): Promise<Plan>;
  run(objective: string, options?: { abortSignal?: AbortSignal }): Promise<RunSummary>;
  resume(runId: string, options?: { abortSignal?: AbortSignal }): Promise<RunSummary>;
}

/**
 * A named export of a sibling package, or undefined when this build does not have it yet.
 * Every use names the export and the package so the run-time message is precise.
 */
function sdkExport<T>(module: object, name: string): T | undefined {
  const value = (module as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as T) : undefined;
}

function requireExport<T>(module: object, name: string, packageName: string): T {
  const value = sdkExport<T>(module, name);
  if (value === undefined) {
    throw new OrchestratorError({
      code: 'NOT_INSTALLED',
      message: `This build of ${packageName} has no ${name}() yet.`,
      fix: `Update ${packageName} (the CLI was built against a newer version).`,
    });
  }
  return value;
}

type LoadConfig = (options: { projectDir: string; configPath?: string; env?: Readonly<Record<string, string | undefined>>; overrides?: ConfigOverrides }) => Promise<{ config: Config; file?: string }>;

/** defaults < config file < QODER_ORCH_* environment < flags (core's loadConfig). */
export async function loadCliConfig(options: { projectDir: string; configPath?: string; env: Readonly<Record<string, string | undefined>>; overrides: ConfigOverrides }): Promise<{ config: Config; file?: string }> {
  const loadConfig = requireExport<LoadConfig>(core, 'loadConfig', '@qoder-orch/core');
  return loadConfig(options);
}

const BUILTIN_PROVIDERS = new Set(['qoder', 'claude', 'codex', 'gemini']);

/** `--llm-provider`: a built-in name, or a module path (resolved against the current directory). */
export async function resolveProvider(name: string, options: { cwd: string }): Promise<AgentProvider> {
  const isPath = !BUILTIN_PROVIDERS.has(name) && (name.startsWith('.') || isAbsolute(name) || /\.(m?js|cjs|ts)$/.test(name));
  const target = isPath ? resolve(options.cwd, name) : name;
  const createProvider = requireExport<(name: string, settings?: Record<string, unknown>) => AgentProvider | Promise<AgentProvider>>(providers, 'createProvider', '@qoder-orch/providers');
  return createProvider(target, {});
}

export interface BuildOrchestratorInput {
  projectDir: string;
  config: Config;
  provider: AgentProvider;
  runStore: RunStore;
  /** Told about every optional part this build cannot provide. */
  warn: (code: string, message: string) => void;
}

/** Core's own renderers for the report blocks, when this build has them. */
export function coreFormatters(): { formatPreflightReport?: (report: PreflightReport) => string; formatContractReport?: (report: ContractReport) => string } {
  const formatPreflightReport = sdkExport<(report: PreflightReport) => string>(core, 'formatPreflightReport');
  const formatContractReport = sdkExport<(report: ContractReport) => string>(core, 'formatContractReport');
  return { ...(formatPreflightReport ? { formatPreflightReport } : {}), ...(formatContractReport ? { formatContractReport } : {}) };
}

type Preflight = (input: { projectDir: string; provider: AgentProvider; config: Config; abortSignal?: AbortSignal }) => Promise<PreflightReport>;

/** Git safety's pre-flight checks (the VALIDATION REPORT). */
export function preflightFunction(): Preflight | undefined {
  return sdkExport<Preflight>(core, 'runPreflight');
}

function contextSource(input: BuildOrchestratorInput): ContextSource | undefined {
  const createContextStore = sdkExport<(options: Record<string, unknown>) => ContextSource>(context, 'createContextStore');
  if (!createContextStore) {
    input.warn('CONTEXT_UNAVAILABLE', 'this build has no context store: tasks get no project knowledge');
    return undefined;
  }
  const search = input.config.semantic_search;
  return createContextStore({
    projectDir: input.projectDir,
    modelName: search.model_name,
    ...(search.model_dir === undefined ? {} : { modelDir: search.model_dir }),
    allowRemoteModels: search.allow_remote,
    isSemanticSearchEnabled: search.enabled,
    similarityThreshold: search.similarity_threshold,
    extraPaths: search.extra_paths,
    cache: { isEnabled: input.config.cache.enabled, maxSizeMb: input.config.cache.max_size_mb, ttlSeconds: input.config.cache.ttl_seconds },
    onWarning: (warning: { code?: string; message?: string }) => input.warn(warning.code ?? 'CONTEXT_WARNING', warning.message ?? String(warning)),
  });
}

/** The Orchestrator with everything this build has: context, contracts, registry, preflight. */
export function buildOrchestrator(input: BuildOrchestratorInput): CliOrchestrator {
  const createOrchestrator = requireExport<(options: Record<string, unknown>) => CliOrchestrator>(core, 'createOrchestrator', '@qoder-orch/core');
  const createIntegrationRegistry = sdkExport<(options: { projectDir: string }) => unknown>(core, 'createIntegrationRegistry');
  const createContractVerifier = sdkExport<(options: Record<string, unknown>) => ContractChecker>(core, 'createContractVerifier');
  const registry = createIntegrationRegistry?.({ projectDir: input.projectDir });
  const contractChecker = createContractVerifier?.(registry === undefined ? {} : { registry });
  if (!contractChecker) input.warn('CONTRACTS_UNAVAILABLE', 'this build has no contract verifier: the API contract is not checked');
  const preflight = preflightFunction();
  if (!preflight) input.warn('PREFLIGHT_UNAVAILABLE', 'this build has no pre-flight checks: no VALIDATION REPORT');
  const source = contextSource(input);
  return createOrchestrator({
    projectDir: input.projectDir,
    provider: input.provider,
    config: input.config,
    runStore: input.runStore,
    ...(source === undefined ? {} : { context: source }),
    ...(contractChecker === undefined ? {} : { contractChecker }),
    ...(registry === undefined ? {} : { registry }),
    ...(preflight === undefined ? {} : { preflight }),
  });
}

export interface CheckpointEntry {
  runId: string;
  taskId: string;
  ref: string;
  commit: string;
  createdAt?: string;
}

/** `qoder-orchestrate checkpoints list` (git safety's listCheckpoints). */
export async function listProjectCheckpoints(options: { projectDir: string; runId?: string }): Promise<CheckpointEntry[]> {
  const listCheckpoints = requireExport<(options: { projectDir: string; runId?: string }) => Promise<CheckpointEntry[]>>(core, 'listCheckpoints', '@qoder-orch/core');
  return listCheckpoints(options);
}

/** `qoder-orchestrate checkpoints prune` (git safety's pruneCheckpoints). */
export async function pruneProjectCheckpoints(options: { projectDir: string; runId?: string }): Promise<{ pruned: number } | CheckpointEntry[] | number> {
  const pruneCheckpoints = requireExport<(options: { projectDir: string; runId?: string }) => Promise<{ pruned: number } | CheckpointEntry[] | number>>(core, 'pruneCheckpoints', '@qoder-orch/core');
  return pruneCheckpoints(options);
}
