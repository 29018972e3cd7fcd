/**
 * Variables every agent process may see: enough to find programs, a home, a locale, a proxy and
 * CA certificates. `NODE_OPTIONS` is left out on purpose: a parent's loaders (tsx, test
 * runners) must not leak into Node-based CLIs; pass it through `env` when you need it.
 */
const BASE_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TERM',
  'TMPDIR',
  'TMP',
  'TEMP',
  'SHELL',
  'TZ',
  'COLORTERM',
  'NO_COLOR',
  'FORCE_COLOR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'NODE_EXTRA_CA_CERTS',
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_RUNTIME_DIR',
  'SYSTEMROOT',
  'COMSPEC',
  'PATHEXT',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
]);

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
    const isBase = BASE_NAMES.has(name) || name.startsWith('LC_');
    const isProviders = input.providerPrefixes.some((prefix) => name.startsWith(prefix));
    if (isBase || isProviders) environment[name] = value;
  }
  return { ...environment, ...input.settingsEnv, ...input.optionsEnv, ...input.fixed };
}
