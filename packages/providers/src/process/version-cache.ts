import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '@qoder-orch/spec';
import { z } from 'zod';

/** A version answer is trusted this long for an unchanged executable, then asked again. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;
const MAX_ENTRIES = 64;

const CacheSchema = z.record(z.string(), z.object({ version: z.string().max(200), checkedAt: z.number() }));
type Cache = z.infer<typeof CacheSchema>;

/** `${XDG_CACHE_HOME:-~/.cache}/qoder-orch/cli-versions.json`, beside the worktree pool; `undefined` when turned off. */
export function versionCacheFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['QODER_ORCH_VERSION_CACHE'] === 'off') return undefined;
  const xdg = env['XDG_CACHE_HOME'];
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
  const cache = xdg !== undefined && isAbsolute(xdg) ? xdg : process.platform === 'darwin' ? join(home, 'Library', 'Caches') : join(home, '.cache');
  return join(cache, 'qoder-orch', 'cli-versions.json');
}

/**
 * What identifies one build of an executable: its real path, the arguments asked, and the
 * file's size, inode and change times (an update or reinstall changes at least one). A
 * relative name (looked up on PATH at spawn time) has no key: it is always asked.
 */
async function keyOf(executable: string, args: readonly string[]): Promise<string | undefined> {
  if (!isAbsolute(executable)) return undefined;
  try {
    const path = await realpath(executable);
    const found = await stat(path);
    if (!found.isFile()) return undefined;
    return JSON.stringify([path, args, found.size, found.ino, found.mtimeMs, found.ctimeMs]);
  } catch {
    return undefined;
  }
}

async function readCache(file: string): Promise<Cache> {
  try {
    const parsed = CacheSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * The version an unchanged executable answered within the last day, so a run's preflight need not
 * start `<cli> --version` again (half a second to a second and a half for `claude`).
 */
export async function cachedVersion(executable: string, args: readonly string[], file: string | undefined, now = Date.now()): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const key = await keyOf(executable, args);
  if (key === undefined) return undefined;
  const entry = (await readCache(file))[key];
  return entry !== undefined && now - entry.checkedAt >= 0 && now - entry.checkedAt < MAX_AGE_MS ? entry.version : undefined;
}

/** Remembers a version answer; a cache that cannot be written is no failure. */
export async function rememberVersion(executable: string, args: readonly string[], version: string, file: string | undefined, now = Date.now()): Promise<void> {
  if (file === undefined) return;
  const key = await keyOf(executable, args);
  if (key === undefined) return;
  try {
    const cache = await readCache(file);
    cache[key] = { version, checkedAt: now };
    const entries = Object.entries(cache)
      .filter(([, entry]) => now - entry.checkedAt < MAX_AGE_MS)
      .sort((a, b) => b[1].checkedAt - a[1].checkedAt)
      .slice(0, MAX_ENTRIES);
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify(Object.fromEntries(entries))}\n`);
  } catch {
    // Best effort: the next check asks the executable again.
  }
}
