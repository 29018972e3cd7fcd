/**
 * Variables every agent process may see: enough to find programs, a home, a locale, a proxy and
 * CA certificates. `NODE_OPTIONS` is left out on purpose: a parent's loaders (tsx, test
 * runners) must not leak into Node-based CLIs; pass it through `env` when you need it. The
 * commands a plan proposes get no more than this either: they are never more trusted than the
 * agents.
 */
export const AGENT_ENVIRONMENT_NAMES: ReadonlySet<string> = new Set([
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

/** Whether a variable of the parent may reach an agent (or a plan's command): the names above and `LC_*`. */
export function isAgentEnvironmentName(name: string): boolean {
  return AGENT_ENVIRONMENT_NAMES.has(name) || name.startsWith('LC_');
}

/** The allow-listed part of an environment. */
export function agentEnvironment(parent: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) if (value !== undefined && isAgentEnvironmentName(name)) environment[name] = value;
  return environment;
}
