import { isAgentEnvironmentName } from '@qoder-orch/spec';

export interface ChildEnvironmentInput {
  /** The environment to pick from (normally `process.env`). */
  parent: Readonly<Record<string, string | undefined>>;
  /** Prefixes of the provider's own variables passed through, e.g. `['ANTHROPIC_', 'CLAUDE_']`. */
  providerPrefixes: readonly string[];
  /** Extra variables from the provider settings (never logged). */
  settingsEnv?: Readonly<Record<string, string>> | undefined;
  /** Extra variables from the call's options (never logged); win over settings. */
  optionsEnv?: Readonly<Record<string, string>> | undefined;
  /** Variables the provider itself sets; win over everything. */
  fixed?: Readonly<Record<string, string>> | undefined;
}

/**
 * The environment of an agent process: a small allow-list of the parent's variables (`PATH`,
 * `HOME`, locale, proxies …), the provider's own variables, then the extra variables given in
 * settings and options. Nothing else leaks from the parent (other tools' tokens stay out).
 */
export function buildChildEnvironment(input: ChildEnvironmentInput): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.parent)) {
    if (value === undefined) continue;
    const isBase = isAgentEnvironmentName(name);
    const isProviders = input.providerPrefixes.some((prefix) => name.startsWith(prefix));
    if (isBase || isProviders) environment[name] = value;
  }
  return { ...environment, ...input.settingsEnv, ...input.optionsEnv, ...input.fixed };
}
