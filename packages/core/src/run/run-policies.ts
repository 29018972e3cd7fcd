import type { CommandPolicy } from '../commands/command-policy';
import type { Config } from '../config/config-schema';
import type { RetryPolicy } from '../shared/retry-policy';

/** The configured retry policy, in the SDK's terms. */
export function retryPolicyOf(config: Config): RetryPolicy {
  const retry = config.retry;
  return { maxAttempts: retry.maxAttempts, backoffFactor: retry.backoffFactor, initialDelayMs: retry.initialDelayMs, maxDelayMs: retry.maxDelayMs };
}

/** The configured command policy, in the SDK's terms. */
export function commandPolicyOf(config: Config): CommandPolicy {
  const policy = config.validation.commandPolicy;
  return { mode: policy.mode, allow: policy.allow };
}
