import type { ProviderError, Usage } from '@qoder-orch/spec';
import type { AgentProcessResult } from '../process/run-agent-process';
import { classifyProviderFailure } from './classify-failure';

/** Whether the process ended by itself with exit code 0 (not canceled, timed out or stalled). */
export function isCleanExit(process: AgentProcessResult): boolean {
  return !process.isCanceled && !process.isTimedOut && !process.isStalled && process.exitCode === 0;
}

/**
 * What a failed run said when its events name no failure: its last non-JSON lines (at most 10)
 * and stderr, else why it could not be started.
 */
export function processFailureText(otherLines: readonly string[], process: AgentProcessResult): string | undefined {
  return [...otherLines.slice(-10), process.stderrTail].join('\n').trim() || process.spawnErrorMessage;
}

export interface ClassifyProcessFailureInput {
  providerId: string;
  process: AgentProcessResult;
  /** What the CLI said about the failure. */
  message: string | undefined;
  apiStatus?: number | undefined;
  usage?: Usage | undefined;
  sessionId?: string | undefined;
  isBadOutput?: boolean | undefined;
  secrets: readonly string[];
  /** The outer timeout of the run, for the message. */
  timeoutMs?: number | undefined;
  /** The stall timeout of the run, for the message when the watchdog ended it. */
  stallTimeoutMs?: number | undefined;
  installHint: string;
  authHint: string;
}

/** What an event-stream CLI's interpreter is given: the parser's summary and how the process ended. */
export interface InterpretRunInput<Summary> {
  providerId: string;
  summary: Summary;
  process: AgentProcessResult;
  secrets: readonly string[];
  timeoutMs?: number | undefined;
  stallTimeoutMs?: number | undefined;
  installHint: string;
  authHint: string;
}

/** The provider error of a failed CLI process: how it ended (exit, signal, timeout, stall, abort, spawn error) plus what it said. */
export function classifyProcessFailure(input: ClassifyProcessFailureInput): ProviderError {
  const { process } = input;
  return classifyProviderFailure({
    providerId: input.providerId,
    message: input.message,
    apiStatus: input.apiStatus,
    exitCode: process.exitCode,
    signal: process.signal,
    isTimedOut: process.isTimedOut,
    isStalled: process.isStalled,
    isCanceled: process.isCanceled,
    spawnErrorCode: process.spawnErrorCode,
    isBadOutput: input.isBadOutput,
    usage: input.usage,
    sessionId: input.sessionId,
    outputTail: process.outputTail,
    secrets: input.secrets,
    timeoutMs: process.isStalled ? input.stallTimeoutMs : input.timeoutMs,
    installHint: input.installHint,
    authHint: input.authHint,
  });
}
