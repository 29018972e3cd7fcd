import { BUILTIN_SUBAGENT_FILES } from './builtin-subagent-files';
import { parseSubagent } from './parse-subagent';
import type { SubagentDefinition } from './subagent-schema';

let cached: readonly SubagentDefinition[] | undefined;

/** The names of the subagents shipped with qoder-orch. */
export const BUILTIN_SUBAGENT_NAMES = ['architect', 'backend-dev', 'frontend-dev', 'qa-agent'] as const;

/**
 * The default subagents shipped with qoder-orch (architect, backend-dev, frontend-dev,
 * qa-agent), each with `source` `builtin:<name>`. Returns fresh copies: callers may change them.
 */
export function builtinSubagents(): SubagentDefinition[] {
  cached ??= Object.entries(BUILTIN_SUBAGENT_FILES)
    .map(([fileName, text]) => parseSubagent(text, `builtin:${fileName.replace(/\.md$/, '')}`))
    .sort((a, b) => a.name.localeCompare(b.name));
  return cached.map((definition) => ({ ...definition, ...(definition.tools ? { tools: [...definition.tools] } : {}) }));
}
