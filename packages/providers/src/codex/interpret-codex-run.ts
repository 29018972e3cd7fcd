import type { ProviderError } from '@qoder-orch/spec';
import { type InterpretRunInput, classifyProcessFailure, isCleanExit, processFailureText } from '../errors/classify-process-failure';
import { apiStatusFromText } from '../process/api-status';
import type { CodexStreamSummary } from './codex-event-parser';

export type InterpretCodexRunInput = InterpretRunInput<CodexStreamSummary>;

/** Whether a Codex run succeeded; when not, the classified failure. */
export function interpretCodexRun(input: InterpretCodexRunInput): ProviderError | undefined {
  const { summary, process: processResult } = input;
  if (isCleanExit(processResult) && summary.isTurnCompleted) return undefined;
  return classifyProcessFailure({
    ...input,
    message: summary.failureMessage ?? processFailureText(summary.otherLines, processResult),
    apiStatus: apiStatusFromText(summary.failureMessage ?? ''),
    isBadOutput: processResult.exitCode === 0,
    usage: summary.usage,
    sessionId: summary.threadId,
  });
}
