import type { CheckOptions, CheckResult } from '@qoder-orch/spec';
import { checkCliVersion } from './check-cli-version';
import type { PreparedCliRun } from './prepare-cli-run';

/** How a CLI provider tells whether a prepared run is authenticated. */
export interface CliAuthentication {
  isAuthenticated: boolean;
  /** The warning when it is not (the stored login may still work). */
  warning: string;
}

export interface CheckCliInput<Run extends PreparedCliRun> {
  options: CheckOptions;
  /** Prepares a run as a task would (its failure means "not installed"). */
  prepare: () => Promise<Run>;
  installHint: string;
  authHint: string;
  /** Timeout of `--version` when the options name none. @default checkCliVersion's own */
  defaultTimeoutMs?: number | undefined;
  authentication: (run: Run) => CliAuthentication;
}

/**
 * `doCheck` of a CLI provider: prepares a run (a failure reports the CLI as not installed), runs
 * `--version`, and adds a warning when no credentials are found; the preparation is cleaned up.
 */
export async function checkCli<Run extends PreparedCliRun>(input: CheckCliInput<Run>): Promise<CheckResult> {
  const { options } = input;
  let run: Run;
  try {
    run = await input.prepare();
  } catch (error) {
    return { installed: false, authenticated: 'unknown', problems: [{ severity: 'error', message: (error as Error).message, fix: input.installHint }] };
  }
  try {
    const check = await checkCliVersion({
      executable: run.executable,
      env: run.env,
      cwd: options.cwd,
      abortSignal: options.abortSignal,
      timeoutMs: options.timeoutMs ?? input.defaultTimeoutMs,
      installHint: input.installHint,
      secrets: run.secrets,
    });
    const { isAuthenticated, warning } = input.authentication(run);
    const problems = [...check.problems];
    if (check.installed && !isAuthenticated) problems.push({ severity: 'warning', message: warning, fix: input.authHint });
    return { ...check, problems, authenticated: isAuthenticated ? true : 'unknown' };
  } finally {
    await run.cleanup();
  }
}
