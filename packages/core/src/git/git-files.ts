import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';

/**
 * What a git process would answer, read from git's own files when that is certain, so that the
 * per-task git work spawns no process for it: where a checkout's git directory and index are,
 * and the commit its HEAD points to. Every reader answers `undefined` whenever the files are not
 * in the plain shape it understands (a packed or reftable ref, a symbolic ref chain, a
 * subdirectory instead of the top of a checkout); callers then ask git.
 *
 * The small files (`.git`, `commondir`, `HEAD`, a loose ref or object) are read synchronously:
 * a few microseconds each, where a read through the thread pool costs four round trips and, at a
 * wave's end with the event loop busy, milliseconds of waiting on the path to the next task.
 */

/** A checkout's top folder and its git directories, found from its `.git` (folder or `gitdir:` file). */
export interface CheckoutLocation {
  top: string;
  gitDir: string;
  commonDir: string;
  indexFile: string;
}

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Where the git directory of the checkout whose top folder is `top` is, or `undefined` when `top` is not the top of one. */
export async function locateCheckout(top: string): Promise<CheckoutLocation | undefined> {
  const dotGit = join(top, '.git');
  const kind = statSmall(dotGit);
  if (kind === undefined) return undefined;
  let gitDir: string;
  if (kind.isDirectory()) gitDir = dotGit;
  else {
    const pointer = /^gitdir: (.+)$/m.exec(readSmallFile(dotGit) ?? '')?.[1]?.trim();
    if (pointer === undefined) return undefined;
    gitDir = isAbsolute(pointer) ? pointer : resolve(top, pointer);
  }
  const common = readSmallFile(join(gitDir, 'commondir'))?.trim();
  const commonDir = common === undefined || common === '' ? gitDir : isAbsolute(common) ? common : resolve(gitDir, common);
  return { top, gitDir, commonDir, indexFile: join(gitDir, 'index') };
}

/**
 * The commit HEAD points to, read from `HEAD` and the loose ref it names; `undefined` when that
 * takes git (a packed ref, reftable, a symbolic ref chain, no commit yet).
 */
export async function readHeadCommit(location: CheckoutLocation): Promise<string | undefined> {
  const head = (readSmallFile(join(location.gitDir, 'HEAD')) ?? '').trim();
  if (OBJECT_ID.test(head)) return head;
  const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
  return ref === undefined ? undefined : readLooseRef(location, ref);
}

/** The object a shared ref (`refs/heads/…`, not a per-worktree one) points to, when it is stored loose. */
export async function readLooseRef(location: CheckoutLocation, ref: string): Promise<string | undefined> {
  if (!ref.startsWith('refs/') || /^refs\/(?:worktree|bisect|rewritten)\//.test(ref) || ref.split('/').some((part) => part === '' || part === '.' || part === '..' || part.endsWith('.lock'))) return undefined;
  const value = (readSmallFile(join(location.commonDir, ref)) ?? '').trim();
  return OBJECT_ID.test(value) ? value : undefined;
}

/**
 * Whether a shared ref certainly does not exist: no loose file, no line in `packed-refs`, and
 * refs stored as files (a reftable repository answers `false`: only git can say).
 */
export async function isRefAbsent(location: CheckoutLocation, ref: string): Promise<boolean> {
  if (!ref.startsWith('refs/') || /^refs\/(?:worktree|bisect|rewritten)\//.test(ref) || ref.split('/').some((part) => part === '' || part === '.' || part === '..')) return false;
  const isThere = (path: string) => {
    try {
      statSync(path);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR';
    }
  };
  if (isThere(join(location.commonDir, 'reftable')) || isThere(join(location.commonDir, ref))) return false;
  const packedPath = join(location.commonDir, 'packed-refs');
  // None (a repository never packed), or small (most): answered at once, no trip through the thread pool. A big one
  // (thousands of tags) is read asynchronously.
  const packedSize = statSmall(packedPath)?.size;
  const packed = packedSize === undefined ? (isThere(packedPath) ? undefined : '') : packedSize <= 1024 * 1024 ? readSmallFile(packedPath) : await readFile(packedPath, 'utf8').catch(() => undefined);
  if (packed === undefined) return false;
  return !packed.split('\n').some((line) => line.endsWith(` ${ref}`));
}

/**
 * The tree of a commit stored as a loose object (a commit git just wrote is one), read and
 * inflated from its file; `undefined` when it is not loose (packed, in an alternate) or not a commit.
 */
export async function readLooseCommitTree(location: CheckoutLocation, commit: string): Promise<string | undefined> {
  if (!OBJECT_ID.test(commit)) return undefined;
  const stored = readRegularFileSync(join(location.commonDir, 'objects', commit.slice(0, 2), commit.slice(2)));
  if (stored === undefined) return undefined;
  try {
    return /^commit \d+\0tree ([0-9a-f]{40}|[0-9a-f]{64})\n/.exec(inflateSync(stored).subarray(0, 128).toString('latin1'))?.[1];
  } catch {
    return undefined;
  }
}

/** Commit → its tree: a commit's id is the hash of its content, tree included, so an answer never goes stale. */
const treesOfCommits = new Map<string, string>();
const TREE_MEMORY = 4096;

/** The tree of `commit` when it was seen before (`rememberTreeOf`). */
export function knownTreeOf(commit: string): string | undefined {
  return treesOfCommits.get(commit);
}

/** Remembers the tree of a commit (one the caller wrote with `commit-tree`, or looked up). */
export function rememberTreeOf(commit: string, tree: string): void {
  if (treesOfCommits.size >= TREE_MEMORY) treesOfCommits.clear();
  treesOfCommits.set(commit, tree);
}

/** Commit → its parents, for the commits this process wrote: like its tree, part of the commit's hashed content. */
const parentsOfCommits = new Map<string, readonly string[]>();

/** Remembers the parents of a commit the caller wrote with `commit-tree`. */
export function rememberParentsOf(commit: string, parents: readonly string[]): void {
  if (parentsOfCommits.size >= TREE_MEMORY) parentsOfCommits.clear();
  parentsOfCommits.set(commit, [...parents]);
}

/**
 * Whether `commit` is certainly `of` or in its history, from the parents remembered alone
 * (`false` means "not known", never "no"): the run's own merges make a chain of commits it
 * wrote, so "is the task's commit on HEAD now?" needs no git.
 */
export function isKnownAncestor(commit: string, of: string, limit = 512): boolean {
  const pending = [of];
  const seen = new Set<string>();
  while (pending.length > 0 && seen.size < limit) {
    const current = pending.pop() as string;
    if (current === commit) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    pending.push(...(parentsOfCommits.get(current) ?? []));
  }
  return false;
}

/**
 * A regular file's bytes, read synchronously, or `undefined` when it cannot be read (absent,
 * unreadable) or is not a regular file now. Opened without blocking and checked with `fstat`
 * before the read: an agent can write in the git directory, and a FIFO where a ref or `HEAD`
 * should be would otherwise block the whole process on a synchronous read. With `isNoFollow`, a
 * symbolic link is not followed (the open fails).
 */
export function readRegularFileSync(path: string, options: { isNoFollow?: boolean } = {}): Buffer | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.isNoFollow === true ? constants.O_NOFOLLOW : 0));
  } catch {
    return undefined;
  }
  try {
    return fstatSync(descriptor).isFile() ? readFileSync(descriptor) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(descriptor);
  }
}

/** A small file's text, read synchronously (see above), or `undefined` when it cannot be read (absent, a folder, a FIFO, unreadable). */
export function readSmallFile(path: string): string | undefined {
  return readRegularFileSync(path)?.toString('utf8');
}

/** What `stat` says of a path, synchronously, or `undefined` when it cannot say (absent, unreadable). */
export function statSmall(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
