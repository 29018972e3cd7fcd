import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readPackageManifest } from '../project/package-manifest';

/**
 * What the project itself offers to run, read once when a run starts: its package.json
 * scripts, its Makefile targets and the tools installed in node_modules/.bin. A plan may
 * name these; what an agent adds later is not "the project's own".
 */
export const ProjectCommandsSchema = z.object({
  scripts: z.array(z.string()).default([]),
  makeTargets: z.array(z.string()).default([]),
  hasMakefile: z.boolean().default(false),
  localBins: z.array(z.string()).default([]),
});
export type ProjectCommands = z.infer<typeof ProjectCommandsSchema>;

/** Big enough for any real manifest; a bigger one is not read at all. */
const MAX_FILE_BYTES = 1_000_000;

function readSmall(file: string): string | undefined {
  try {
    if (!existsSync(file) || statSync(file).size > MAX_FILE_BYTES) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const MAKEFILE_NAMES = ['GNUmakefile', 'makefile', 'Makefile'];

function makeTargets(projectDir: string): { hasMakefile: boolean; targets: string[] } {
  for (const name of MAKEFILE_NAMES) {
    const text = readSmall(join(projectDir, name));
    if (text === undefined) continue;
    const targets = new Set<string>();
    for (const line of text.split(/\r?\n/)) {
      // `target other: deps`, but not `VAR := value` or `VAR ::= value`.
      const match = /^([A-Za-z0-9_./-][A-Za-z0-9_./ \t-]*?)\s*:(?![:=])/.exec(line);
      if (!match) continue;
      for (const target of match[1]!.split(/\s+/)) if (target !== '' && !target.startsWith('.')) targets.add(target);
    }
    return { hasMakefile: true, targets: [...targets] };
  }
  return { hasMakefile: false, targets: [] };
}

function localBins(projectDir: string): string[] {
  try {
    return readdirSync(join(projectDir, 'node_modules', '.bin'));
  } catch {
    return [];
  }
}

/** Reads the project's scripts, Makefile targets and installed tools (missing files: none). */
export function readProjectCommands(projectDir: string): ProjectCommands {
  const make = makeTargets(projectDir);
  return { scripts: Object.keys(readPackageManifest(projectDir)?.scripts ?? {}), makeTargets: make.targets, hasMakefile: make.hasMakefile, localBins: localBins(projectDir) };
}
