import type { StopReason } from '@qoder-orch/spec';

/** Thrown by a step to end the run with a reason (cancelled, budget) rather than an error. */
export class RunStopped extends Error {
  constructor(
    readonly reason: StopReason,
    readonly error?: unknown,
  ) {
    super(reason);
  }
}
