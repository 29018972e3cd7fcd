import { OrchestratorError, ProviderError } from '@qoder-orch/spec';

/**
 * Failures of the executor itself rather than of the task: the queue a remote executor hands
 * attempts to is gone (`QUEUE_UNAVAILABLE`). Every other attempt would fail the same way, so the
 * run stops as a cancelled one does — journal kept, the attempt back to pending, resumable —
 * instead of failing the task or retrying it.
 */
const RUN_STOPPING_CODES = new Set<string>(['QUEUE_UNAVAILABLE']);

/** Whether an agent call's error stops the whole run (see {@link RUN_STOPPING_CODES}). */
export function isRunStopping(error: unknown): error is OrchestratorError {
  return OrchestratorError.isInstance(error) && RUN_STOPPING_CODES.has(error.code);
}

/**
 * What a failed agent call of a batch or a speculative attempt means beyond its task: a usage
 * limit pauses its provider (the tasks then run one by one after the reset), a lost executor
 * stops the run. The single-task path does the same inside its own retry loop.
 */
export function noteFailedAgentCall(
  error: unknown,
  context: { taskId: string; abortSignal: AbortSignal; usageLimitGate: { hit(error: ProviderError): unknown } | undefined; emitStop: (stop: { taskId: string; error: OrchestratorError }) => void },
): void {
  if (ProviderError.isInstance(error) && error.code === 'USAGE_LIMIT') context.usageLimitGate?.hit(error);
  if (isRunStopping(error) && !context.abortSignal.aborted) context.emitStop({ taskId: context.taskId, error });
}
