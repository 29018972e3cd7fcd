import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinSubagents } from '@qoder-orch/spec';
import { parseSubagent } from '@qoder-orch/spec';
import type { SubagentDefinition } from '@qoder-orch/spec';

/** Where project subagents are looked up, in precedence order (the first file of a name wins). */
export const SUBAGENT_DIRECTORIES = ['subagents', '.qoder/agents', '.claude/agents'] as const;

export interface LoadSubagentsOptions {
  /** Folders relative to the project. @default SUBAGENT_DIRECTORIES */
  directories?: readonly string[];
  /** Include the four shipped subagents (a project file of the same name overrides one). @default true */
  isBuiltinIncluded?: boolean;
}

/**
 * The subagents of a project: every `*.md` in `subagents/`, `.qoder/agents/`, `.claude/agents/`
 * (Claude Code / Qoder format), over the shipped architect, backend-dev, frontend-dev and
 * qa-agent. An invalid file throws `SUBAGENT_INVALID` naming the file: a typo must not
 * silently drop a teammate.
 */
export async function loadSubagents(projectDir: string, options: LoadSubagentsOptions = {}): Promise<SubagentDefinition[]> {
  const byName = new Map<string, SubagentDefinition>();
  for (const directory of options.directories ?? SUBAGENT_DIRECTORIES) {
    let names: string[];
    try {
      names = (await readdir(join(projectDir, directory))).filter((name) => name.endsWith('.md')).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const source = `${directory}/${name}`;
      const definition = parseSubagent(await readFile(join(projectDir, source), 'utf8'), source);
      if (!byName.has(definition.name)) byName.set(definition.name, definition);
    }
  }
  if (options.isBuiltinIncluded ?? true) {
    for (const builtin of builtinSubagents()) if (!byName.has(builtin.name)) byName.set(builtin.name, builtin);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
