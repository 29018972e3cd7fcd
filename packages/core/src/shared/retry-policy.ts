export interface RetryPolicy {
  /** Attempts per task, the first included. */
  maxAttempts: number;
  /** Each wait is the previous times this. */
  backoffFactor: number;
  /** The first wait, ms. */
  initialDelayMs: number;
  /** The longest wait, ms. */
  maxDelayMs: number;
}

/**
 * The wait before attempt `attempt + 1`: exponential, capped, with "equal jitter" (half
 * fixed, half random) so parallel tasks hit by the same rate limit do not retry in step.
 * A delay the failure named (`retry-after`) is honoured as a minimum.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoffFactor ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** Waits, or rejects as soon as the signal aborts. */
export function sleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(abortSignal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortSignal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
