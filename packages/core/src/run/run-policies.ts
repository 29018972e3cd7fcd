import type { CommandPolicy } from '../commands/command-policy';
import type { Config } from '../config/config-schema';
import type { RetryPolicy } from '../shared/retry-policy';
import type { ProvisionSettings } from '../workspace/provision/provision-types';

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

/** The configured worktree provisioning (`workspace`), in the SDK's terms. */
export function provisionSettingsOf(config: Config): ProvisionSettings {
  const workspace = config.workspace;
  return {
    includeFile: workspace.includeFile,
    dependencies: workspace.dependencies,
    setup: workspace.setup,
    teardown: workspace.teardown,
    commandTimeoutMs: workspace.commandTimeout * 1000,
    ...(workspace.teardownTimeout === undefined ? {} : { teardownTimeoutMs: workspace.teardownTimeout * 1000 }),
    portBase: workspace.portBase,
    portsPerTask: workspace.portsPerTask,
  };
}
