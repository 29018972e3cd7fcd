import type { ProviderError } from '@qoder-orch/core';
import { classifyProviderFailure } from '../errors/classify-failure';
import { apiStatusFromText } from '../process/api-status';
import type { AgentProcessResult } from '../process/run-agent-process';
import type { CodexStreamSummary } from './codex-event-parser';

export interface InterpretCodexRunInput {
  providerId: string;
  summary: CodexStreamSummary;
  process: AgentProcessResult;
  secrets: readonly string[];
  timeoutMs?: number | undefined;
  stallTimeoutMs?: number | undefined;
  installHint: string;
  authHint: string;
}

/** Whether a Codex run succeeded; when not, the classified failure. */
export function interpretCodexRun(input: InterpretCodexRunInput): ProviderError | undefined {
  const { summary, process: processResult } = input;
  const isSuccess = !processResult.isCanceled && !processResult.isTimedOut && !processResult.isStalled && processResult.exitCode === 0 && summary.isTurnCompleted;
  if (isSuccess) return undefined;
  const message = summary.failureMessage ?? ([...summary.otherLines.slice(-10), processResult.stderrTail].join('\n').trim() || processResult.spawnErrorMessage);
  return classifyProviderFailure({
    providerId: input.providerId,
    message,
    apiStatus: apiStatusFromText(summary.failureMessage ?? ''),
    exitCode: processResult.exitCode,
    signal: processResult.signal,
    isTimedOut: processResult.isTimedOut,
    isStalled: processResult.isStalled,
    isCanceled: processResult.isCanceled,
    spawnErrorCode: processResult.spawnErrorCode,
    isBadOutput: processResult.exitCode === 0,
    usage: summary.usage,
    sessionId: summary.threadId,
    outputTail: processResult.outputTail,
    secrets: input.secrets,
    timeoutMs: processResult.isStalled ? input.stallTimeoutMs : input.timeoutMs,
    installHint: input.installHint,
    authHint: input.authHint,
  });
}
