import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type { LLMProviderV1 } from '@qoder-orch/spec';
import { checkGitInstalled, checkProjectReadable } from './git-checks';
import type { PreflightCheck } from './preflight-report';
import { checkProvider } from './provider-check';

/**
 * Preflight's slowest stable facts, started before preflight itself: whether the project can
 * be read, which git is installed (its first git process also starts the spawn helper, a Node
 * start) and each provider's `doCheck` (its CLI's `--version`, a process start of its own).
 * They run in other processes while this one still loads modules, reads the configuration and
 * builds the orchestrator; `runPreflight({ probes })` then takes their answers instead of
 * asking again. Every check still runs exactly once and reports as it would have.
 */
export interface PreflightProbes {
  /** The resolved project directory the probes looked at; `runPreflight` uses them only for the same one. */
  readonly projectDir: string;
  readonly project: Promise<PreflightCheck>;
  readonly gitInstalled: Promise<PreflightCheck>;
  /** Starts `provider`'s check now (once per provider); later calls answer the same promise. */
  checkProvider(provider: LLMProviderV1, options?: { timeoutMs?: number }): Promise<PreflightCheck[]>;
  /** The check started for `provider`, if any. */
  providerCheck(provider: LLMProviderV1): Promise<PreflightCheck[]> | undefined;
}

/** Starts the probes for `projectDir` at once (nothing here throws: every failure is a check's result). */
export function startPreflightProbes(projectDir: string, options: { abortSignal?: AbortSignal } = {}): PreflightProbes {
  const directory = resolve(projectDir);
  const project = checkProjectReadable(directory);
  const cwd = project.then((check) => (check.status === 'fail' ? tmpdir() : directory));
  const gitInstalled = cwd.then((where) => checkGitInstalled(where));
  const providers = new Map<LLMProviderV1, Promise<PreflightCheck[]>>();
  // Nobody may ever ask (the run stops earlier): no unhandled rejection either way.
  gitInstalled.catch(() => undefined);
  return {
    projectDir: directory,
    project,
    gitInstalled,
    checkProvider(provider, checkOptions = {}) {
      let check = providers.get(provider);
      if (check === undefined) {
        check = cwd.then((where) => checkProvider(provider, { cwd: where, timeoutMs: checkOptions.timeoutMs ?? 30_000, ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }) }));
        check.catch(() => undefined);
        providers.set(provider, check);
      }
      return check;
    },
    providerCheck: (provider) => providers.get(provider),
  };
}
