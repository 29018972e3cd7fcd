import { OrchestratorError, type RunSummary } from '@qoder-orch/core';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';

export function exitCodeOfSummary(summary: RunSummary): ExitCode {
  switch (summary.status) {
    case 'met':
      return EXIT_CODES.met;
    case 'not-met':
      return EXIT_CODES.notMet;
    case 'cancelled':
      return EXIT_CODES.cancelled;
    default:
      return EXIT_CODES.failed;
  }
}

/** Input errors (bad config, unknown run) are 3, cancellation 130, everything else 2. */
export function exitCodeOfError(error: unknown): ExitCode {
  if (OrchestratorError.isInstance(error)) {
    if (error.code === 'CONFIG_INVALID' || error.code === 'RUN_NOT_FOUND' || error.code === 'SUBAGENT_INVALID') return EXIT_CODES.invalidInput;
    if (error.code === 'ABORTED') return EXIT_CODES.cancelled;
  }
  if (error instanceof Error && error.name === 'AbortError') return EXIT_CODES.cancelled;
  return EXIT_CODES.failed;
}
