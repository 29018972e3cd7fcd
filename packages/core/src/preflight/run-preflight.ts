import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { type ConfigInput, ConfigSchema } from '../config/config-schema';
import { OrchestratorError } from '@qoder-orch/spec';
import { redactOutput, secretValuesFrom } from '@qoder-orch/spec';
import type { LLMProviderV1 } from '@qoder-orch/spec';
import { checkConfig } from './config-check';
import { checkDiskSpace } from './disk-check';
import { defaultWorktreeRoot, resolveUserPath } from '../git/worktree-location';
import { checkGitInstalled, checkProjectReadable, checkWorkTree, inspectRepository } from './git-checks';
import type { PreflightProbes } from './preflight-probes';
import type { PreflightCheck, PreflightReport } from './preflight-report';
import { checkProvider } from './provider-check';
import { checkSubagents, DEFAULT_SUBAGENT_DIRECTORIES } from './subagent-check';
import { checkWorkspaceCommands } from './workspace-check';

export interface PreflightOptions {
  /** The project directory to validate. */
  projectDir: string;
  /** The chosen provider; its optional `doCheck` reports installation, version and authentication. */
  provider?: LLMProviderV1;
  /** The providers that plan and judge when they are not `provider`, each checked like it (an API key missing …). */
  completionProviders?: readonly LLMProviderV1[];
  /** Configuration given in code (validated too); also supplies `allow_dirty` and `fail_on_warnings`. */
  config?: ConfigInput;
  /** The configuration file to validate. @default `<projectDir>/.qoder-orchestrate.yaml` (skipped when absent) */
  configFile?: string;
  /** Directories (relative to the project) whose `.md` files are subagent definitions. @default ['subagents', '.qoder/agents', '.claude/agents'] */
  subagentDirectories?: readonly string[];
  /** A directory that is not a repository fails the report; otherwise it only warns. @default true */
  isGitRequired?: boolean;
  /** Asked when the directory is not a repository; answering `true` initialises one (`initRepository`). */
  offerInit?: (projectDir: string) => Promise<boolean>;
  /** A dirty work tree is a warning (it will be set aside) rather than a failure. @default config `execution.allow_dirty`, else false */
  allowDirty?: boolean;
  /** Warnings fail the report. @default config `validation.fail_on_warnings`, else false */
  failOnWarnings?: boolean;
  /** Free space needed for worktrees, in MB; below a quarter of it the check fails. @default 500 */
  minFreeDiskMb?: number;
  /** Time allowed for the provider's check, in ms. @default 30000 */
  providerCheckTimeoutMs?: number;
  abortSignal?: AbortSignal;
  /** Checks started earlier for the same project (`startPreflightProbes`): their answers are used instead of asking again. */
  probes?: PreflightProbes;
}

/**
 * Checks everything a run depends on before anything runs: git (installed, recent enough), the
 * directory (a repository, readable, its work tree state), the provider's CLI (via `doCheck`),
 * the configuration, the subagent files and the free disk space. Never throws for a failed check:
 * every problem is a line of the report with its fix. Print it with `formatPreflightReport`.
 *
 * @throws OrchestratorError `ABORTED` when `abortSignal` fires.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const projectDir = resolve(options.projectDir);
  const parsedConfig = options.config === undefined ? undefined : ConfigSchema.safeParse(options.config);
  const config = parsedConfig?.success ? parsedConfig.data : undefined;
  const allowDirty = options.allowDirty ?? config?.execution.allowDirty ?? false;
  const failOnWarnings = options.failOnWarnings ?? config?.validation.failOnWarnings ?? false;
  const throwIfAborted = () => {
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'Preflight was aborted.' });
  };
  throwIfAborted();
  const probes = options.probes?.projectDir === projectDir ? options.probes : undefined;
  const project = await (probes?.project ?? checkProjectReadable(projectDir));
  const isProjectUsable = project.status !== 'fail';
  // Three independent lines of checks run side by side (the provider's `--version` is a process
  // start of its own, often the slowest); the report lists them in this order whatever finishes first.
  const gitLine = async (): Promise<PreflightCheck[]> => {
    const installed = await (probes?.gitInstalled ?? checkGitInstalled(isProjectUsable ? projectDir : tmpdir()));
    if (!isProjectUsable || installed.status !== 'pass') return [installed];
    throwIfAborted();
    // One rev-parse answers both whether this is a work tree and where its git directory is.
    const { check: repository, paths } = await inspectRepository(projectDir, { isGitRequired: options.isGitRequired ?? true, ...(options.offerInit === undefined ? {} : { offerInit: options.offerInit }) });
    if (repository.status !== 'pass') return [installed, repository];
    throwIfAborted();
    return [installed, repository, ...(await checkWorkTree(projectDir, { allowDirty, ...(paths === undefined ? {} : { paths }) }))];
  };
  const providers = [options.provider, ...(options.completionProviders ?? [])].filter(
    (provider, index, all): provider is LLMProviderV1 => provider !== undefined && all.findIndex((other) => other?.providerId === provider.providerId) === index,
  );
  const providerLine = async (): Promise<PreflightCheck[]> => {
    const results = await Promise.all(
      providers.map(
        (provider) =>
          probes?.providerCheck(provider) ??
          checkProvider(provider, { cwd: isProjectUsable ? projectDir : tmpdir(), timeoutMs: options.providerCheckTimeoutMs ?? 30_000, ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }) }),
      ),
    );
    return results.flat();
  };
  const projectLine = async (): Promise<PreflightCheck[]> => {
    if (!isProjectUsable) return [];
    const found: PreflightCheck[] = [];
    found.push(await checkConfig(projectDir, { ...(options.config === undefined ? {} : { config: options.config }), ...(options.configFile === undefined ? {} : { configFile: options.configFile }) }));
    found.push(...toList(await checkSubagents(projectDir, options.subagentDirectories ?? DEFAULT_SUBAGENT_DIRECTORIES)));
    const workspaceCommands = await checkWorkspaceCommands(projectDir, [...(config?.workspace.setup ?? []), ...(config?.workspace.teardown ?? [])], options.configFile);
    if (workspaceCommands !== undefined) found.push(workspaceCommands);
    // Worktrees live outside the project: their file system is the one that fills up.
    const worktreeRoot = config?.execution.worktreeRoot === undefined ? defaultWorktreeRoot() : resolveUserPath(config.execution.worktreeRoot, projectDir);
    found.push(await checkDiskSpace(worktreeRoot, options.minFreeDiskMb ?? 500));
    return found;
  };
  const [gitChecks, providerChecks, projectChecks] = await Promise.all([gitLine(), providerLine(), projectLine()]);
  throwIfAborted();
  const checks = [project, ...gitChecks, ...providerChecks, ...projectChecks];

  // Messages may quote CLI output: never let a secret through.
  const secrets = secretValuesFrom(process.env);
  const safe = checks.map((check) => ({
    ...check,
    message: redactOutput(check.message, secrets),
    ...(check.fix === undefined ? {} : { fix: redactOutput(check.fix, secrets) }),
  }));
  const hasFailures = safe.some((check) => check.status === 'fail');
  const hasWarnings = safe.some((check) => check.status === 'warn');
  return { checks: safe, isPassed: !hasFailures && !(failOnWarnings && hasWarnings), hasWarnings };
}

function toList(result: PreflightCheck | PreflightCheck[]): PreflightCheck[] {
  return Array.isArray(result) ? result : [result];
}
