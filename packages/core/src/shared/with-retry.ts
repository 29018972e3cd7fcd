import { OrchestratorError } from '@qoder-orch/spec';
import { type RetryPolicy, retryDelayMs, sleep } from './retry-policy';

export interface WithRetryOptions {
  policy: RetryPolicy;
  abortSignal?: AbortSignal;
  /** Called before each wait. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  random?: () => number;
}

/** Whether an error says that trying again may succeed. */
export function isRetryableError(error: unknown): boolean {
  return OrchestratorError.isInstance(error) && error.isRetryable;
}

/**
 * Runs `work` until it succeeds, a non-retryable error is thrown, or the attempts run out.
 * Waits with exponential backoff and jitter between attempts (a named `retryAfterMs` is a
 * minimum); an abort ends the wait at once.
 */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: WithRetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.policy.maxAttempts || !isRetryableError(error) || options.abortSignal?.aborted) throw error;
      const delayMs = retryDelayMs(options.policy, attempt, (error as OrchestratorError).retryAfterMs, options.random);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.abortSignal);
    }
  }
}
