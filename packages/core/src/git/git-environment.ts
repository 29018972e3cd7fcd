/**
 * Variables that redirect git (to another repository, index, config, editor or pager) or that
 * simple-git refuses to pass on. Our git processes never inherit them: a run started from inside
 * a git hook, or with `EDITOR` set, must still operate on the project it was given.
 */
const droppedNames = new Set(['editor', 'visual', 'pager', 'ssh_askpass', 'prefix']);

/** The environment for a git process we start: the caller's, minus redirections, plus `extra`. */
export function gitEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower.startsWith('git_') || droppedNames.has(lower)) continue;
    environment[name] = value;
  }
  // Messages we parse (conflicts, refusals) must be in English; never prompt for anything.
  environment.LC_ALL = 'C';
  environment.LANGUAGE = 'C';
  environment.GIT_TERMINAL_PROMPT = '0';
  return { ...environment, ...extra };
}
