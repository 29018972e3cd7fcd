import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import type { ContextChunk } from '@qoder-orch/spec';
import type { ExtraPath, SourceFile, SourceOrigin } from './source-file';

const TEXT_EXTENSIONS = /\.(md|mdx|markdown|txt)$/i;
// `.qoder-orch` holds caches and unreviewed wiki proposals: never knowledge.
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.qoder-orch']);

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Text files under a folder, relative to the project; `depth` 1 = the folder's own files only. */
async function listFiles(projectDir: string, folder: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(projectDir, folder), { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((left, right) => left.name.localeCompare(right.name))) {
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory() && depth > 1 && !SKIPPED_FOLDERS.has(entry.name)) files.push(...(await listFiles(projectDir, path, depth - 1)));
    else if (entry.isFile() && TEXT_EXTENSIONS.test(entry.name)) files.push(path);
  }
  return files;
}

interface Convention {
  folder: string;
  kind: ContextChunk['kind'];
  origin: SourceOrigin;
  depth: number;
  /** Keep only files with this name (e.g. `SKILL.md`). */
  fileName?: string;
  /** At most this many files (in name order): a folder of generated pages is not all knowledge. */
  maxFiles?: number;
}

const DEEP = 32;
/** Files read from one documentation folder by default. */
const MAX_DOCUMENTATION_FILES = 300;

/** The folders the store reads, in precedence order (the first subagent of a name wins). */
export const CONVENTIONS: readonly Convention[] = [
  { folder: '.qoder/rules', kind: 'rule', origin: 'qoder', depth: DEEP },
  { folder: '.qoder/repowiki', kind: 'wiki', origin: 'qoder', depth: DEEP },
  { folder: '.qoder/skills', kind: 'skill', origin: 'qoder', depth: DEEP },
  { folder: '.qoder/agents', kind: 'subagent', origin: 'qoder', depth: 1 },
  { folder: '.claude/agents', kind: 'subagent', origin: 'claude', depth: 1 },
  { folder: '.claude/skills', kind: 'skill', origin: 'claude', depth: 2, fileName: 'SKILL.md' },
  { folder: 'subagents', kind: 'subagent', origin: 'seed', depth: 1 },
  { folder: 'wiki', kind: 'wiki', origin: 'seed', depth: DEEP },
  // The repository's own documentation (`docs/wiki/` included), bounded: found without configuration.
  { folder: 'docs', kind: 'wiki', origin: 'project', depth: 8, maxFiles: MAX_DOCUMENTATION_FILES },
  { folder: 'doc', kind: 'wiki', origin: 'project', depth: 8, maxFiles: MAX_DOCUMENTATION_FILES },
];

/** Root files that describe the project: read as project knowledge when present. */
export const DOCUMENTATION_FILES: readonly string[] = ['README.md', 'CONTRIBUTING.md', 'ARCHITECTURE.md'];

/** Memory files at the project root: always sent to every task. */
export const MEMORY_FILES: ReadonlyArray<{ path: string; origin: SourceOrigin }> = [
  { path: 'AGENTS.md', origin: 'qoder' },
  { path: 'CLAUDE.md', origin: 'claude' },
];

/** Resolves a project-relative path, refusing anything outside the project. */
export function resolveInsideProject(projectDir: string, path: string): string {
  const absolute = isAbsolute(path) ? path : join(projectDir, path);
  const relativePath = relative(projectDir, absolute);
  if (relativePath.startsWith('..') || isAbsolute(relativePath)) {
    throw new OrchestratorError({
      code: 'PATH_OUTSIDE_PROJECT',
      message: `Context path "${path}" is outside the project ${projectDir}.`,
      fix: 'Give context paths relative to the project directory.',
    });
  }
  return toPosix(relativePath);
}

/** Every source file, each once (the first convention that names a file wins). */
export async function discoverSources(projectDir: string, extraPaths: readonly ExtraPath[] = []): Promise<SourceFile[]> {
  const found = new Map<string, SourceFile>();
  const add = (file: SourceFile) => {
    if (!found.has(file.path)) found.set(file.path, file);
  };
  for (const memory of MEMORY_FILES) {
    if (await isFile(join(projectDir, memory.path))) add({ path: memory.path, kind: 'memory', origin: memory.origin });
  }
  for (const convention of CONVENTIONS) {
    for (const path of (await listFiles(projectDir, convention.folder, convention.depth)).slice(0, convention.maxFiles)) {
      if (convention.fileName !== undefined && !path.endsWith(`/${convention.fileName}`)) continue;
      add({ path, kind: convention.kind, origin: convention.origin });
    }
  }
  for (const path of DOCUMENTATION_FILES) {
    if (await isFile(join(projectDir, path))) add({ path, kind: 'wiki', origin: 'project' });
  }
  for (const extra of extraPaths) {
    const { path, kind = 'other' } = typeof extra === 'string' ? { path: extra } : extra;
    const relativePath = resolveInsideProject(projectDir, path);
    if (await isFile(join(projectDir, relativePath))) add({ path: relativePath, kind, origin: 'extra' });
    else for (const file of await listFiles(projectDir, relativePath, DEEP)) add({ path: file, kind, origin: 'extra' });
  }
  return [...found.values()];
}
