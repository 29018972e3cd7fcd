import type { CheckResult } from '@qoder-orch/spec';
import { redactOutput } from '@qoder-orch/spec';
import { runAgentProcess } from './run-agent-process';

export interface CheckCliVersionOptions {
  executable: string;
  env: Readonly<Record<string, string>>;
  cwd?: string | undefined;
  /** @default ['--version'] */
  args?: readonly string[];
  abortSignal?: AbortSignal | undefined;
  /** @default 20_000 */
  timeoutMs?: number | undefined;
  installHint: string;
  secrets: readonly string[];
}

/** Runs `<cli> --version`: is it installed, and which version. Authentication is left to the caller. */
export async function checkCliVersion(options: CheckCliVersionOptions): Promise<CheckResult> {
  const result = await runAgentProcess({
    executable: options.executable,
    args: options.args ?? ['--version'],
    cwd: options.cwd ?? process.cwd(),
    env: options.env,
    timeoutMs: options.timeoutMs ?? 20_000,
    killGraceMs: 1_000,
    abortSignal: options.abortSignal,
  });
  const output = redactOutput(`${result.stdout}\n${result.stderrTail}`, options.secrets).trim();
  if (result.spawnErrorCode || result.exitCode !== 0) {
    const reason = result.spawnErrorCode ? `cannot be started (${result.spawnErrorCode})` : result.isTimedOut ? 'did not answer --version in time' : `failed (exit ${result.exitCode ?? result.signal}): ${output.slice(0, 300)}`;
    return {
      installed: false,
      path: options.executable,
      authenticated: 'unknown',
      problems: [{ severity: 'error', message: `${options.executable} ${reason}`, fix: options.installHint }],
    };
  }
  const version = /\d+\.\d+\.\d+(?:[-.][\w.]+)?/.exec(output)?.[0];
  return { installed: true, path: options.executable, ...(version === undefined ? {} : { version }), authenticated: 'unknown', problems: [] };
}
