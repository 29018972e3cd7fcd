import { OrchestratorError } from '@qoder-orch/spec';

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
