import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSubagent, splitFrontMatter } from '@qoder-orch/spec';
import { parse as parseYaml } from 'yaml';
import type { ContextChunk, SubagentDefinition } from '@qoder-orch/spec';
import { chunkMarkdown } from '../chunking/markdown-chunker';
import type { ContextWarning } from '../store/context-warning';
import { discoverSources } from './discover-sources';
import type { ExtraPath, SourceFile } from './source-file';

/** Files larger than this are skipped with a warning: a wiki page is not a data dump. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

export interface LoadedSources {
  files: SourceFile[];
  /** Every chunk of every non-subagent file, in discovery order. */
  chunks: ContextChunk[];
  /** The project's subagents, first file of a name wins. */
  subagents: SubagentDefinition[];
  /** Rules that apply only to tasks touching matching files (Qoder `trigger: glob`), by source. */
  ruleGlobs: Map<string, string[]>;
  /** Files skipped or invalid, in discovery order: the store emits them as `warning` events. */
  warnings: ContextWarning[];
}

/** How a Qoder rule is triggered; files without front matter (and Claude/seed rules) are always on. */
export type RuleTrigger = 'always_on' | 'glob' | 'model_decision' | 'manual';

export interface RuleFrontMatter {
  trigger: RuleTrigger;
  globs: string[];
}

/** Reads a rule's `trigger` (`always_on`, `glob` + `globs`, `model_decision`, `manual`) and `alwaysApply`. */
export function ruleFrontMatter(frontMatter: string | undefined): RuleFrontMatter {
  let data: unknown;
  try {
    data = frontMatter === undefined ? undefined : parseYaml(frontMatter);
  } catch {
    data = undefined;
  }
  const record = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const rawGlobs = record.globs;
  const globs = (Array.isArray(rawGlobs) ? rawGlobs.map(String) : typeof rawGlobs === 'string' ? rawGlobs.split(',') : []).map((glob) => glob.trim()).filter(Boolean);
  const trigger = record.trigger;
  if (record.alwaysApply === true || trigger === 'always_on') return { trigger: 'always_on', globs };
  if (trigger === 'glob' && globs.length > 0) return { trigger: 'glob', globs };
  if (trigger === 'model_decision' || trigger === 'manual') return { trigger, globs };
  return { trigger: 'always_on', globs };
}

export interface LoadSourcesOptions {
  extraPaths?: readonly ExtraPath[];
  maxChunkChars?: number;
}

/** Reads every source the conventions name: chunks for rules, memory, wiki and skills; definitions for subagents. */
export async function loadSources(projectDir: string, options: LoadSourcesOptions = {}): Promise<LoadedSources> {
  const files = await discoverSources(projectDir, options.extraPaths);
  const chunks: ContextChunk[] = [];
  const subagents = new Map<string, SubagentDefinition>();
  const ruleGlobs = new Map<string, string[]>();
  const warnings: ContextWarning[] = [];
  for (const file of files) {
    const absolute = join(projectDir, file.path);
    let text: string;
    try {
      const info = await stat(absolute);
      if (info.size > MAX_SOURCE_BYTES) {
        warnings.push({ code: 'SOURCE_SKIPPED', message: `${file.path} is ${Math.round(info.size / 1024)} KB, more than ${MAX_SOURCE_BYTES / 1024} KB: skipped.` });
        continue;
      }
      text = await readFile(absolute, 'utf8');
    } catch (error) {
      warnings.push({ code: 'SOURCE_SKIPPED', message: `${file.path} could not be read: ${error instanceof Error ? error.message : String(error)}`, cause: error });
      continue;
    }
    if (file.kind === 'subagent') {
      try {
        const definition = parseSubagent(text, file.path);
        if (!subagents.has(definition.name)) subagents.set(definition.name, definition);
      } catch (error) {
        warnings.push({ code: 'SUBAGENT_INVALID', message: error instanceof Error ? error.message : String(error), cause: error });
      }
      continue;
    }
    // Rules and skills often open with YAML front matter (trigger, name, description): not knowledge.
    const parts = file.kind === 'memory' ? undefined : splitFrontMatter(text);
    let kind = file.kind;
    if (kind === 'rule') {
      const rule = ruleFrontMatter(parts?.frontMatter);
      if (rule.trigger === 'manual') continue; // applied only when a person asks for it by name
      if (rule.trigger === 'model_decision') kind = 'skill'; // applied when relevant: retrieved like a skill
      if (rule.trigger === 'glob') ruleGlobs.set(file.path, rule.globs);
    }
    chunks.push(...chunkMarkdown(parts?.body ?? text, file.path, kind, options.maxChunkChars === undefined ? {} : { maxChars: options.maxChunkChars }));
  }
  return { files, chunks, subagents: [...subagents.values()], ruleGlobs, warnings };
}
