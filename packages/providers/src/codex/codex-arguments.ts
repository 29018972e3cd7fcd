import type { PermissionMode } from '@qoder-orch/spec';

/** Codex has sandboxes, not permission modes: read-only for plans, the workspace for edits. */
export const CODEX_SANDBOXES: Record<PermissionMode, string> = {
  plan: 'read-only',
  default: 'read-only',
  dontAsk: 'read-only',
  acceptEdits: 'workspace-write',
  auto: 'workspace-write',
  bypassPermissions: 'danger-full-access',
};

/** The id of the model provider configured when `baseUrl` is set. */
export const CODEX_PROVIDER_ID = 'qoder_orch';

/** A TOML basic string (JSON string escapes are valid TOML). */
export const tomlString = (value: string) => JSON.stringify(value);

export interface CodexConfigInput {
  baseUrl?: string | undefined;
  apiKeyVariable: string;
  maxRetries?: number | undefined;
  config?: Readonly<Record<string, string>> | undefined;
}

/** `-c key=value` pairs: a custom Responses endpoint when `baseUrl` is set, then the raw `config`. */
export function codexConfigArguments(input: CodexConfigInput): string[] {
  const pairs: string[] = [];
  if (input.baseUrl) {
    const retries = input.maxRetries === undefined ? '' : `, request_max_retries=${input.maxRetries}, stream_max_retries=${input.maxRetries}`;
    pairs.push(`model_provider=${tomlString(CODEX_PROVIDER_ID)}`);
    pairs.push(`model_providers.${CODEX_PROVIDER_ID}={name=${tomlString('qoder-orch')}, base_url=${tomlString(input.baseUrl)}, env_key=${tomlString(input.apiKeyVariable)}, wire_api="responses"${retries}}`);
  }
  for (const [key, value] of Object.entries(input.config ?? {})) pairs.push(`${key}=${value}`);
  return pairs.flatMap((pair) => ['-c', pair]);
}
