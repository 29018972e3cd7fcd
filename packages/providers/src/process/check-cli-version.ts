import type { CheckResult } from '@qoder-orch/spec';
import { redactOutput } from '@qoder-orch/spec';
import { runAgentProcess } from './run-agent-process';
import { cachedVersion, rememberVersion, versionCacheFile } from './version-cache';

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
  /** Where versions of unchanged executables are remembered for a day; `null` asks every time. @default versionCacheFile() */
  cacheFile?: string | null;
}

/** Runs `<cli> --version`: is it installed, and which version. Authentication is left to the caller. */
export async function checkCliVersion(options: CheckCliVersionOptions): Promise<CheckResult> {
  const args = options.args ?? ['--version'];
  const cacheFile = options.cacheFile === null ? undefined : (options.cacheFile ?? versionCacheFile());
  // The same executable (path, size, inode, times) answered within the last day: it is installed, in that version.
  const known = await cachedVersion(options.executable, args, cacheFile);
  if (known !== undefined) return { installed: true, path: options.executable, ...(known === '' ? {} : { version: known }), authenticated: 'unknown', problems: [] };
  const result = await runAgentProcess({
    executable: options.executable,
    args,
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
  await rememberVersion(options.executable, args, version ?? '', cacheFile);
  return { installed: true, path: options.executable, ...(version === undefined ? {} : { version }), authenticated: 'unknown', problems: [] };
}
