import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const PackageManifestSchema = z.looseObject({
  scripts: z.record(z.string(), z.unknown()).optional(),
  packageManager: z.string().optional(),
});

/** What the orchestrator reads of a project's package.json: its scripts and package manager. */
export interface PackageManifest {
  /** Script names to bodies (entries whose body is not a string are left out). */
  scripts: Record<string, string>;
  packageManager?: string;
}

/** Big enough for any real manifest; a bigger one is not read at all. */
const MAX_MANIFEST_BYTES = 1_000_000;

/**
 * The project's package.json as far as scripts and the package manager go. Undefined when it is
 * missing, too big, unreadable or not a JSON object: the project then has no package scripts.
 */
export function readPackageManifest(projectDir: string): PackageManifest | undefined {
  const file = join(projectDir, 'package.json');
  try {
    if (statSync(file).size > MAX_MANIFEST_BYTES) return undefined;
    const parsed = PackageManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) return undefined;
    const scripts = Object.fromEntries(Object.entries(parsed.data.scripts ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    return { scripts, ...(parsed.data.packageManager === undefined ? {} : { packageManager: parsed.data.packageManager }) };
  } catch {
    return undefined;
  }
}
