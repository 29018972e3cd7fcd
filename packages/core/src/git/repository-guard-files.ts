import { type BigIntStats, type Dirent, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFileSync } from './git-files';

/**
 * How the repository guard reads the files it watches (see `RepositoryGuard`): the watched
 * files, the hooks walk, and the `lstat` signatures that spare reading a file found as recorded.
 */

/** Files in the common git directory that decide what git runs or sees: configuration, attributes, excludes. */
export const WATCHED_FILES = ['config', 'config.worktree', 'info/attributes', 'info/exclude'] as const;
/** Every file under it is a program git may run. */
export const HOOKS_DIRECTORY = 'hooks';

export type Entry = { kind: 'file'; mode: number; content: Buffer } | { kind: 'link'; target: string };

/** Path → the `lstat` signature it had when its content was read and found as recorded, with that entry. */
export type Verified = Map<string, { signature: string; entry: Entry }>;

/** The hooks directory's entries as last listed, with the `lstat` signature the directory had before that listing. */
export interface ListingMemo {
  hooks?: { signature: string; entries: ReadonlyArray<{ name: string; isDirectory: boolean }> } | undefined;
}

/**
 * The watched files as they are now; a file whose `lstat` matches a verified signature is taken
 * as verified, not read. With `listing` (a quick check), the hooks directory's listing and its
 * verified samples are reused while the directory is unchanged (see `RepositoryGuard.check`).
 */
export async function readWatched(commonDir: string, verified?: Verified, listing?: ListingMemo): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const read = async (path: string) => {
    const entry = await readEntry(commonDir, path, verified);
    if (entry !== undefined) entries.set(path, entry);
  };
  await Promise.all(WATCHED_FILES.map(read));
  await walkHooks(commonDir, read, listing, (path) => {
    const known = verified?.get(path);
    if (known !== undefined) entries.set(path, known.entry);
    return known !== undefined;
  });
  // With `extensions.worktreeConfig`, `git config --worktree` in a task's worktree writes here, and our git in that worktree reads it.
  const names = listQuietly(join(commonDir, 'worktrees'))
    .map((entry) => entry.name)
    .sort();
  await Promise.all(names.map((name) => read(`worktrees/${name}/config.worktree`)));
  // In a stable order whatever order the reads finished in.
  return new Map([...entries].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}

/**
 * Every file and symbolic link under the hooks directory, never following links. The listing's
 * entry types say what is a directory: one `lstat` per file (its read's), not two. With `memo`,
 * a listing taken while the directory's `lstat` said the same is reused, and a verified sample
 * hook is taken as it was (`takeVerified`).
 */
async function walkHooks(root: string, read: (path: string) => Promise<void>, memo: ListingMemo | undefined, takeVerified: (path: string) => boolean): Promise<void> {
  const lookedAtNs = BigInt(Date.now()) * 1_000_000n;
  const info = lstatQuietly(join(root, HOOKS_DIRECTORY));
  if (info === undefined) return;
  if (!info.isDirectory()) return read(HOOKS_DIRECTORY);
  const signature = signatureOf(info, lookedAtNs);
  const known = memo?.hooks;
  let listing: ReadonlyArray<{ name: string; isDirectory: boolean }>;
  const isUnchanged = known !== undefined && signature !== undefined && known.signature === signature;
  if (isUnchanged) {
    listing = known.entries;
  } else {
    listing = listQuietly(join(root, HOOKS_DIRECTORY)).map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
    if (memo !== undefined) memo.hooks = signature === undefined ? undefined : { signature, entries: listing };
  }
  await Promise.all(
    listing.map(({ name, isDirectory }) => {
      const path = `${HOOKS_DIRECTORY}/${name}`;
      if (isDirectory) return walkDirectory(root, path, read);
      if (isUnchanged && name.endsWith('.sample') && takeVerified(path)) return;
      return read(path);
    }),
  );
}

async function walkDirectory(root: string, relativeDir: string, read: (path: string) => Promise<void>): Promise<void> {
  const entries = listQuietly(join(root, relativeDir));
  await Promise.all(entries.map((entry) => (entry.isDirectory() ? walkDirectory(root, `${relativeDir}/${entry.name}`, read) : read(`${relativeDir}/${entry.name}`))));
}

/**
 * What `lstat` says of a file, to tell it unchanged without reading it: inode, size, mode and
 * both times in nanoseconds. The change time cannot be set from user space, and any write or
 * chmod moves it; a file whose change time is within a second of the look is never taken as
 * unchanged (a write in the same clock tick would leave it as it was, as git's racy entries).
 */
function signatureOf(info: BigIntStats, lookedAtNs: bigint): string | undefined {
  if (lookedAtNs - info.ctimeNs < 1_000_000_000n) return undefined;
  return `${info.ino}:${info.size}:${info.mode}:${info.mtimeNs}:${info.ctimeNs}`;
}

/**
 * The guard's looks are synchronous: a check lstats a dozen or more small local files around
 * every task, and a promise's trip through the thread pool costs far more than the call
 * (measured: ~47 ms of the main thread per 8-task run, most of its lstat time). A file's bytes
 * are read synchronously only when small; a large one (a compiled hook) is read asynchronously.
 * A file that is no longer a regular file when opened (an agent swapped in a FIFO or a link after
 * the `lstat`) reads as empty, which never matches a recorded file with content: put back.
 */
const SYNC_READ_LIMIT = 256 * 1024;

function lstatQuietly(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function listQuietly(path: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
}

export async function readEntry(root: string, relativePath: string, verified?: Verified): Promise<Entry | undefined> {
  const path = join(root, relativePath);
  const lookedAtNs = BigInt(Date.now()) * 1_000_000n;
  const info = lstatQuietly(path);
  if (info === undefined) return undefined;
  const signature = signatureOf(info, lookedAtNs);
  const known = verified?.get(relativePath);
  if (known !== undefined && signature !== undefined && known.signature === signature) return known.entry;
  const entry: Entry = info.isSymbolicLink()
    ? { kind: 'link', target: readlinkSync(path) }
    : info.isFile()
      ? { kind: 'file', mode: Number(info.mode & 0o777n), content: info.size <= SYNC_READ_LIMIT ? (readRegularFileSync(path, { isNoFollow: true }) ?? Buffer.alloc(0)) : await readFile(path) }
      : // A directory (or anything else) where a watched file should be: recorded as an empty file that is "changed".
        { kind: 'file', mode: -1, content: Buffer.alloc(0) };
  // Remembered only for a file read as it was recorded, and whose read followed the lstat without a change in between.
  if (verified !== undefined && signature !== undefined) {
    const after = lstatQuietly(path);
    if (after !== undefined && signatureOf(after, lookedAtNs) === signature) verified.set(relativePath, { signature, entry });
    else verified.delete(relativePath);
  }
  return entry;
}
