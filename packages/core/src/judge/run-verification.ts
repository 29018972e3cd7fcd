import { delimiter, isAbsolute, relative, resolve } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import type { VerifyCommand } from '@qoder-orch/spec';
import type { VerificationResult } from '@qoder-orch/spec';
import { redactOutput, secretValuesFrom, tailOf } from '@qoder-orch/spec';
import { parseTestSummary } from '@qoder-orch/spec';

export interface RunVerificationOptions {
  /** Where the commands run (the task's working directory or the project root). */
  cwd: string;
  /** Recorded on each result. @default 'task' */
  phase?: VerificationResult['phase'];
  /** Per command, unless the command sets its own. ms. @default 300000 */
  timeoutMs?: number;
  /** Aborting kills the running command's process group and rejects with `ABORTED`. */
  abortSignal?: AbortSignal;
  /** Extra environment for the commands. Its values are redacted from the output. */
  env?: Readonly<Record<string, string>>;
  /**
   * Whether the commands also see this process's whole environment (the user's own commands),
   * or only `env` (a plan's commands, no more trusted than the agents). @default true
   */
  isEnvironmentInherited?: boolean;
  /** Characters of output kept per command (the end of it). @default 4000 */
  maxOutputChars?: number;
  /** After a timeout or abort, wait this long after SIGTERM before SIGKILL. ms. @default 2000 */
  killGraceMs?: number;
  /** Folders put in front of PATH (not secrets: never redacted). */
  prependPath?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 300_000;

function normaliseCommand(command: VerifyCommand): { argv: string[]; timeoutMs?: number; cwd?: string } {
  if (Array.isArray(command)) return { argv: command };
  return { argv: command.command, ...(command.timeoutMs === undefined ? {} : { timeoutMs: command.timeoutMs }), ...(command.cwd === undefined ? {} : { cwd: command.cwd }) };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    // A negative pid signals the whole process group (the command and what it started).
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // Already gone.
  }
}

function abortedError(): OrchestratorError {
  return new OrchestratorError({ code: 'ABORTED', message: 'Verification was aborted.' });
}

/**
 * Runs verification commands one after the other as argument vectors (never through a
 * shell) and records each one's exit code, timeout and a redacted tail of its output. A
 * command that cannot start (not installed) is a failed result, not an exception. Every
 * command runs even when an earlier one failed: all of it is evidence.
 */
export async function runVerification(commands: readonly VerifyCommand[], options: RunVerificationOptions): Promise<VerificationResult[]> {
  const results: VerificationResult[] = [];
  const secretValues = secretValuesFrom(process.env, options.env ?? {});
  for (const command of commands) {
    if (options.abortSignal?.aborted) throw abortedError();
    results.push(await runOne(normaliseCommand(command), options, secretValues));
  }
  return results;
}

async function runOne(command: { argv: string[]; timeoutMs?: number; cwd?: string }, options: RunVerificationOptions, secretValues: readonly string[]): Promise<VerificationResult> {
  const phase = options.phase ?? 'task';
  const root = resolve(options.cwd);
  const cwd = command.cwd === undefined ? root : resolve(root, command.cwd);
  const relativeCwd = relative(root, cwd);
  if (relativeCwd.startsWith('..') || isAbsolute(relativeCwd)) {
    throw new OrchestratorError({
      code: 'PATH_OUTSIDE_PROJECT',
      message: `Verification command working directory "${command.cwd}" is outside ${root}.`,
      fix: 'Give verify command cwd values relative to the task directory, inside it.',
    });
  }
  const [file, ...args] = command.argv;
  const timeoutMs = command.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const graceMs = options.killGraceMs ?? 2000;
  const startedAt = Date.now();
  const path = options.prependPath?.length ? { PATH: [...options.prependPath, process.env.PATH ?? ''].filter(Boolean).join(delimiter) } : {};
  // Loaded when the first process starts: about 0.2 s of module loading the CLI's start need not wait for.
  // Loaded when the first process starts: about 0.2 s of module loading that the CLI's start need not wait for.
  const { execa } = await import('execa');
  const subprocess = execa(file ?? '', args, {
    cwd,
    env: { ...options.env, ...path },
    extendEnv: options.isEnvironmentInherited ?? true,
    reject: false,
    all: true,
    stdin: 'ignore',
    detached: process.platform !== 'win32',
    forceKillAfterDelay: graceMs,
  });
  let isTimedOut = false;
  let isCanceled = false;
  let forceKillTimer: NodeJS.Timeout | undefined;
  const stop = (signalReason: 'timeout' | 'abort') => {
    if (isTimedOut || isCanceled) return;
    if (signalReason === 'timeout') isTimedOut = true;
    else isCanceled = true;
    killGroup(subprocess.pid, 'SIGTERM');
    forceKillTimer = setTimeout(() => killGroup(subprocess.pid, 'SIGKILL'), graceMs);
    forceKillTimer.unref();
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('abort');
  options.abortSignal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await subprocess;
    if (isCanceled) throw abortedError();
    const output = typeof result.all === 'string' ? result.all : '';
    const failureNote = result.failed && result.exitCode === undefined && !isTimedOut ? `\n${result.shortMessage ?? 'the command could not start'}` : '';
    const timeoutNote = isTimedOut ? `\n[qoder-orch] timed out after ${timeoutMs} ms` : '';
    const redacted = redactOutput(`${output}${failureNote}${timeoutNote}`, secretValues).trim();
    const outputTail = tailOf(redacted, options.maxOutputChars ?? 4000);
    const testSummary = parseTestSummary(redacted);
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
    return {
      command: [...command.argv],
      exitCode,
      passed: exitCode === 0 && !isTimedOut,
      isTimedOut,
      durationMs: Date.now() - startedAt,
      outputTail,
      phase,
      ...(testSummary ? { testSummary } : {}),
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(forceKillTimer);
    // The command is gone; members of its group that ignored SIGTERM are not spared, and no
    // late timer can signal a process group id the system has reused since.
    if (isTimedOut || isCanceled) killGroup(subprocess.pid, 'SIGKILL');
    options.abortSignal?.removeEventListener('abort', onAbort);
  }
}

export interface CollectProjectChecksOptions {
  /** The project root. */
  cwd: string;
  /** The project's own test command, as an argument vector. Nothing runs when absent. */
  command?: readonly string[];
  /** ms. @default 300000 */
  timeoutMs?: number;
  abortSignal?: AbortSignal;
  env?: Readonly<Record<string, string>>;
  /** Folders put in front of PATH (a pinned package script's `node_modules/.bin`). */
  prependPath?: readonly string[];
}

/** Runs the project's own test command as evidence (phase `project`). */
export async function collectProjectChecks(options: CollectProjectChecksOptions): Promise<VerificationResult[]> {
  if (!options.command || options.command.length === 0) return [];
  return runVerification([[...options.command]], {
    cwd: options.cwd,
    phase: 'project',
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.prependPath === undefined ? {} : { prependPath: options.prependPath }),
  });
}
