import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { parseSubagent } from '@qoder-orch/spec';
import type { PreflightCheck } from './preflight-report';
import { fail, pass, warn } from './check-result';

/** Where subagent definitions are looked for, relative to the project. */
export const DEFAULT_SUBAGENT_DIRECTORIES = ['subagents', '.qoder/agents', '.claude/agents'] as const;

/** Parses every `.md` file in the subagent directories; reports each invalid file with its problem. */
export async function checkSubagents(projectDir: string, directories: readonly string[]): Promise<PreflightCheck> {
  const label = 'Subagents';
  const problems: string[] = [];
  const names = new Map<string, string[]>();
  let count = 0;
  for (const directory of directories) {
    const absolute = join(projectDir, directory);
    const entries = await readdir(absolute, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
      const source = relative(projectDir, join(absolute, entry.name)).split('\\').join('/');
      count += 1;
      try {
        const definition = parseSubagent(await readFile(join(absolute, entry.name), 'utf8'), source);
        names.set(definition.name, [...(names.get(definition.name) ?? []), source]);
      } catch (error) {
        problems.push(OrchestratorError.isInstance(error) ? error.message : `${source}: ${(error as Error).message}`);
      }
    }
  }
  if (problems.length > 0) {
    return fail(
      'subagents',
      label,
      `${problems.length} of ${count} subagent file${count === 1 ? '' : 's'} invalid:\n${problems.join('\n')}`,
      'A subagent file is YAML front matter between two "---" lines (name, description, and optionally tools, model, permissionMode, maxTurns, provider) followed by the system prompt.',
    );
  }
  const duplicates = [...names.entries()].filter(([, sources]) => sources.length > 1);
  if (duplicates.length > 0) {
    return warn('subagents', label, `Subagent names defined more than once: ${duplicates.map(([name, sources]) => `${name} (${sources.join(', ')})`).join('; ')}.`, 'Give each subagent a unique name; the first directory listed wins.');
  }
  return pass('subagents', label, count === 0 ? 'No project subagents; the built-in ones are used.' : `${count} subagent file${count === 1 ? '' : 's'} valid.`);
}
