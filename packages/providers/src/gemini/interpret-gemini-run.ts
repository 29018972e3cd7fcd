import type { ProviderError } from '@qoder-orch/spec';
import { type InterpretRunInput, classifyProcessFailure, isCleanExit, processFailureText } from '../errors/classify-process-failure';
import { apiStatusFromText } from '../process/api-status';
import type { GeminiStreamSummary } from './gemini-event-parser';

export type InterpretGeminiRunInput = InterpretRunInput<GeminiStreamSummary>;

/** Whether a Gemini run succeeded; when not, the classified failure. */
export function interpretGeminiRun(input: InterpretGeminiRunInput): ProviderError | undefined {
  const { summary, process: processResult } = input;
  if (isCleanExit(processResult) && summary.resultStatus === 'success') return undefined;
  const message = summary.errorMessage ?? processFailureText(summary.otherLines, processResult);
  return classifyProcessFailure({
    ...input,
    message,
    apiStatus: apiStatusFromText(message ?? ''),
    isBadOutput: processResult.exitCode === 0,
    usage: summary.usage,
    sessionId: summary.sessionId,
  });
}
