import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSubagent, splitFrontMatter } from '@qoder-orch/core';
import type { ContextChunk, SubagentDefinition } from '@qoder-orch/core';
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
}

export interface LoadSourcesOptions {
  extraPaths?: readonly ExtraPath[];
  maxChunkChars?: number;
  onWarning?: (warning: ContextWarning) => void;
}

/** Reads every source the conventions name: chunks for rules, memory, wiki and skills; definitions for subagents. */
export async function loadSources(projectDir: string, options: LoadSourcesOptions = {}): Promise<LoadedSources> {
  const files = await discoverSources(projectDir, options.extraPaths);
  const chunks: ContextChunk[] = [];
  const subagents = new Map<string, SubagentDefinition>();
  for (const file of files) {
    const absolute = join(projectDir, file.path);
    let text: string;
    try {
      const info = await stat(absolute);
      if (info.size > MAX_SOURCE_BYTES) {
        options.onWarning?.({ code: 'SOURCE_SKIPPED', message: `${file.path} is ${Math.round(info.size / 1024)} KB, more than ${MAX_SOURCE_BYTES / 1024} KB: skipped.` });
        continue;
      }
      text = await readFile(absolute, 'utf8');
    } catch (error) {
      options.onWarning?.({ code: 'SOURCE_SKIPPED', message: `${file.path} could not be read: ${error instanceof Error ? error.message : String(error)}`, cause: error });
      continue;
    }
    if (file.kind === 'subagent') {
      try {
        const definition = parseSubagent(text, file.path);
        if (!subagents.has(definition.name)) subagents.set(definition.name, definition);
      } catch (error) {
        options.onWarning?.({ code: 'SUBAGENT_INVALID', message: error instanceof Error ? error.message : String(error), cause: error });
      }
      continue;
    }
    // Rules and skills often open with YAML front matter (trigger, name, description): not knowledge.
    const body = file.kind === 'memory' ? text : (splitFrontMatter(text)?.body ?? text);
    chunks.push(...chunkMarkdown(body, file.path, file.kind, options.maxChunkChars === undefined ? {} : { maxChars: options.maxChunkChars }));
  }
  return { files, chunks, subagents: [...subagents.values()] };
}
