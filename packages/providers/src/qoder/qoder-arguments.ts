import type { CompleteOptions, PermissionMode, RunTaskOptions } from '@qoder-orch/spec';

/** Qoder's names for the spec's permission modes. It has no plan mode: `plan` denies whatever is not allowed. */
const PERMISSION_MODES: Record<PermissionMode, string> = {
  default: 'default',
  acceptEdits: 'accept_edits',
  bypassPermissions: 'bypass_permissions',
  dontAsk: 'dont_ask',
  plan: 'dont_ask',
  auto: 'auto',
};

export type QoderOutputFormat = 'json' | 'stream-json';

interface QoderArgumentDefaults {
  model?: string | undefined;
  permissionMode: PermissionMode;
  sessionId: string;
  outputFormat: QoderOutputFormat;
  configDir?: string | undefined;
  maxRetries?: number | undefined;
  extraArgs: readonly string[];
}

function common(defaults: QoderArgumentDefaults, model: string | undefined): string[] {
  const args = ['-p', '--output-format', defaults.outputFormat];
  if (model) args.push('--model', model);
  if (defaults.configDir) args.push('--config-dir', defaults.configDir);
  if (defaults.maxRetries !== undefined) args.push('--max-model-request-retries', String(defaults.maxRetries));
  return args;
}

/**
 * Argument vector of `qodercli -p` for an agentic task. The prompt is not in it: it goes after
 * `--` (or on stdin), added by the caller. Qoder has no turn or budget limit flags.
 */
export function qoderTaskArguments(options: RunTaskOptions, defaults: QoderArgumentDefaults): string[] {
  const args = [...common(defaults, options.model ?? defaults.model), '--permission-mode', PERMISSION_MODES[options.permissionMode ?? defaults.permissionMode]];
  if (options.allowedTools && options.allowedTools.length > 0) args.push('--allowed-tools', options.allowedTools.join(','));
  if (options.disallowedTools && options.disallowedTools.length > 0) args.push('--disallowed-tools', options.disallowedTools.join(','));
  if (options.systemPrompt) args.push('--append-system-prompt', options.systemPrompt);
  if (options.resumeSessionId) args.push('--resume', options.resumeSessionId);
  else args.push('--session-id', defaults.sessionId);
  args.push(...defaults.extraArgs);
  return args;
}

/** Argument vector of `qodercli -p` for a completion: every built-in tool disabled. */
export function qoderCompleteArguments(options: CompleteOptions, defaults: QoderArgumentDefaults): string[] {
  const args = [...common(defaults, options.model ?? defaults.model), '--permission-mode', 'dont_ask', '--tools', '', '--session-id', defaults.sessionId];
  const system = [options.system, options.jsonSchema ? `Answer with one JSON object only (no prose, no code fence) that follows this JSON Schema:\n${JSON.stringify(options.jsonSchema)}` : undefined].filter(Boolean).join('\n\n');
  if (system) args.push('--append-system-prompt', system);
  args.push(...defaults.extraArgs);
  return args;
}
