import { lstat, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Package managers' own records of what is installed: any install, update or removal rewrites
 * one of them (npm, pnpm, yarn classic and berry, a virtualenv's configuration).
 */
export const STATE_FILES: readonly string[] = ['.package-lock.json', '.modules.yaml', '.yarn-state.yml', '.yarn-integrity', '.pnpm/lock.yaml', 'pyvenv.cfg'];

/** What one dependency folder looks like, cheaply: entry → `mtime:size` of its top level, its state files and a venv's site-packages. */
export type FolderFingerprint = Map<string, string>;

/** Fingerprints of shared dependency folders by repository-relative path. */
export type DependencyFingerprint = Map<string, FolderFingerprint>;

async function entryStamp(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  return info === undefined ? undefined : `${info.mtimeMs}:${info.size}`;
}

async function listStamps(folder: string, prefix: string, into: FolderFingerprint): Promise<void> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const stamps = await Promise.all(names.map((name) => entryStamp(join(folder, name))));
  names.forEach((name, index) => {
    const stamp = stamps[index];
    if (stamp !== undefined) into.set(`${prefix}${name}`, stamp);
  });
}

/** A venv's `site-packages` folders (`lib/python3.x/site-packages`, `Lib/site-packages`), relative to it. */
async function sitePackagesOf(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const lib of ['lib', 'lib64']) {
    for (const version of await readdir(join(folder, lib)).catch(() => [] as string[])) if (version.startsWith('python')) found.push(join(lib, version, 'site-packages'));
  }
  found.push(join('Lib', 'site-packages'));
  return found;
}

/**
 * Fingerprints one installed dependency folder (following a link to it): the folder and its
 * top-level entries with their modification times (an install adds or replaces a package
 * folder there; `@scope` folders change when a scoped package does), the package managers'
 * state files, and a virtualenv's site-packages listing. Caches that tools keep inside
 * (`.cache`, `.vite`, `.vitest`) are left out: writing them is not installing. A few hundred
 * `lstat` calls, however big the folder.
 */
export async function fingerprintFolder(folder: string): Promise<FolderFingerprint> {
  const fingerprint: FolderFingerprint = new Map();
  const real = await realpath(folder).catch(() => undefined);
  if (real === undefined) return fingerprint;
  const top = new Map<string, string>();
  await listStamps(real, '', top);
  for (const [name, stamp] of top) if (!name.startsWith('.') || name === '.bin' || name === '.pnpm') fingerprint.set(name, stamp);
  for (const file of STATE_FILES) {
    const stamp = await entryStamp(join(real, file));
    if (stamp !== undefined) fingerprint.set(file, stamp);
  }
  if (fingerprint.has('pyvenv.cfg')) {
    for (const sitePackages of await sitePackagesOf(real)) await listStamps(join(real, sitePackages), `${sitePackages.split('\\').join('/')}/`, fingerprint);
  }
  return fingerprint;
}

/** Fingerprints `folders` (repository-relative) as seen from `worktree` (through its links). */
export async function fingerprintDependencies(worktree: string, folders: readonly string[]): Promise<DependencyFingerprint> {
  const fingerprints: DependencyFingerprint = new Map();
  for (const folder of folders) fingerprints.set(folder, await fingerprintFolder(join(worktree, folder)));
  return fingerprints;
}

/** What differs between two fingerprints, as `<folder>: <entry> added|removed|changed` lines (names only). */
export function dependencyChanges(before: DependencyFingerprint, after: DependencyFingerprint): string[] {
  const changes: string[] = [];
  for (const [folder, was] of before) {
    const now = after.get(folder) ?? new Map<string, string>();
    for (const [entry, stamp] of now) {
      const old = was.get(entry);
      if (old === undefined) changes.push(`${folder}: ${entry} added`);
      else if (old !== stamp) changes.push(`${folder}: ${entry} changed`);
    }
    for (const entry of was.keys()) if (!now.has(entry)) changes.push(`${folder}: ${entry} removed`);
  }
  return changes;
}

/**
 * Whether an install changed a folder between two fingerprints, leaving out what merely using
 * the packages touches (Python writing `__pycache__` inside a package folder changes its time):
 * the same entries by name, and the package managers' state files unchanged (every npm, pnpm,
 * yarn install rewrites one; pip adds or renames `*.dist-info` entries).
 */
export function isSameInstall(before: DependencyFingerprint, after: DependencyFingerprint): boolean {
  for (const [folder, was] of before) {
    const now = after.get(folder) ?? new Map<string, string>();
    if (now.size !== was.size) return false;
    for (const [entry, stamp] of was) {
      if (!now.has(entry)) return false;
      if (STATE_FILES.includes(entry) && now.get(entry) !== stamp) return false;
    }
  }
  return true;
}

/**
 * What of a fingerprint says which install it is (see `isSameInstall`): each folder's entry
 * names, with the stamps of the package managers' state files only, sorted.
 */
export function installSignature(fingerprint: DependencyFingerprint): Record<string, Array<[string, string]>> {
  const signature: Record<string, Array<[string, string]>> = {};
  for (const [folder, entries] of fingerprint) {
    signature[folder] = [...entries].map(([entry, stamp]): [string, string] => [entry, STATE_FILES.includes(entry) ? stamp : '']).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  }
  return signature;
}

/** A short description of changes for a message: the first few, and how many more. */
export function describeDependencyChanges(changes: readonly string[], shown = 5): string {
  const listed = changes.slice(0, shown).join('; ');
  return changes.length > shown ? `${listed}; and ${changes.length - shown} more` : listed;
}
