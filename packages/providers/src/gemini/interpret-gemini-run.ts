import type { ProviderError } from '@qoder-orch/core';
import { classifyProviderFailure } from '../errors/classify-failure';
import { apiStatusFromText } from '../process/api-status';
import type { AgentProcessResult } from '../process/run-agent-process';
import type { GeminiStreamSummary } from './gemini-event-parser';

export interface InterpretGeminiRunInput {
  providerId: string;
  summary: GeminiStreamSummary;
  process: AgentProcessResult;
  secrets: readonly string[];
  timeoutMs?: number | undefined;
  stallTimeoutMs?: number | undefined;
  installHint: string;
  authHint: string;
}

/** Whether a Gemini run succeeded; when not, the classified failure. */
export function interpretGeminiRun(input: InterpretGeminiRunInput): ProviderError | undefined {
  const { summary, process: processResult } = input;
  const isSuccess = !processResult.isCanceled && !processResult.isTimedOut && !processResult.isStalled && processResult.exitCode === 0 && summary.resultStatus === 'success';
  if (isSuccess) return undefined;
  const message = summary.errorMessage ?? ([...summary.otherLines.slice(-10), processResult.stderrTail].join('\n').trim() || processResult.spawnErrorMessage);
  return classifyProviderFailure({
    providerId: input.providerId,
    message,
    apiStatus: apiStatusFromText(message ?? ''),
    exitCode: processResult.exitCode,
    signal: processResult.signal,
    isTimedOut: processResult.isTimedOut,
    isStalled: processResult.isStalled,
    isCanceled: processResult.isCanceled,
    spawnErrorCode: processResult.spawnErrorCode,
    isBadOutput: processResult.exitCode === 0,
    usage: summary.usage,
    sessionId: summary.sessionId,
    outputTail: processResult.outputTail,
    secrets: input.secrets,
    timeoutMs: processResult.isStalled ? input.stallTimeoutMs : input.timeoutMs,
    installHint: input.installHint,
    authHint: input.authHint,
  });
}
