import { chmod, lstat, mkdir, mkdtemp, open, readFile, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '@qoder-orch/spec';
import { splitNul, tryGit } from './git-client';
import { type Entry, HOOKS_DIRECTORY, type ListingMemo, readEntry, readWatched, type Verified, WATCHED_FILES } from './repository-guard-files';

/** One kind of change found in the repository's own files, already undone. */
export interface GuardFinding {
  kind: 'git-config' | 'git-hooks';
  /** What changed: configuration keys (`core.hooksPath added`), or files (`hooks/pre-commit added`). Never values. */
  changes: string[];
}

/**
 * Keeps the repository's configuration, hooks, attributes and excludes as they were when a run
 * began. Every agent can write them (they live in the git directory its worktree shares with
 * the project), and what they say runs later: in our own git commands, and in the user's.
 * `check` compares them with the snapshot, puts back every byte that changed (files written
 * whole, then renamed into place), removes what was added, and says what it found.
 */
export class RepositoryGuard {
  readonly #commonDir: string;
  readonly #snapshot: Map<string, Entry>;
  /**
   * Files read and found as recorded, by what `lstat` said of them then: while it says the same,
   * the file is not read again (see `signatureOf`). Most checks read no file at all.
   */
  readonly #verified: Verified = new Map();
  /** What quick checks reuse: the hooks directory's listing, while the directory's `lstat` says the same. */
  readonly #listing: ListingMemo = {};

  private constructor(commonDir: string, snapshot: Map<string, Entry>) {
    this.#commonDir = commonDir;
    this.#snapshot = snapshot;
  }

  /**
   * Records the watched files of the git directory `commonDir` as they are now, and keeps the
   * record in `<commonDir>/qoder-orch/guard.json` until `release`: a run that dies before its
   * end leaves it for the next run's `resumeAfterCrash`.
   */
  static async take(commonDir: string): Promise<RepositoryGuard> {
    const snapshot = await readWatched(commonDir);
    await mkdir(join(commonDir, 'qoder-orch'), { recursive: true });
    const saved = Object.fromEntries([...snapshot].map(([path, entry]) => [path, entry.kind === 'link' ? entry : { kind: 'file', mode: entry.mode, content: entry.content.toString('base64') }]));
    await writeFileAtomic(guardFile(commonDir), `${JSON.stringify(saved)}\n`);
    return new RepositoryGuard(commonDir, snapshot);
  }

  /**
   * The guard a run that did not end left behind, or `undefined`. Its `check` puts back what
   * changed during that run. An unreadable record is ignored (and removed).
   */
  static async resumeAfterCrash(commonDir: string): Promise<RepositoryGuard | undefined> {
    const text = await readFile(guardFile(commonDir), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    let parsed: z.infer<typeof SavedSnapshotSchema> | undefined;
    try {
      parsed = SavedSnapshotSchema.parse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || Object.keys(parsed).some((path) => !isWatchedPath(path))) {
      await rm(guardFile(commonDir), { force: true });
      return undefined;
    }
    const snapshot = new Map<string, Entry>(Object.entries(parsed).map(([path, entry]) => [path, entry.kind === 'link' ? entry : { kind: 'file', mode: entry.mode, content: Buffer.from(entry.content, 'base64') }]));
    return new RepositoryGuard(commonDir, snapshot);
  }

  /** The run ended: its record is no longer needed. */
  async release(): Promise<void> {
    await rm(guardFile(this.#commonDir), { force: true });
  }

  /**
   * Compares with the snapshot; restores what differs. Returns what was found (empty when nothing
   * changed).
   *
   * `isQuick` (the checks made around every task): while the hooks directory's `lstat` says it is
   * as listed, it is not listed again and its verified `*.sample` files are not looked at: git
   * never runs a sample, and a sample renamed, replaced or added to changes the directory. A
   * sample's bytes rewritten in place are found by the next full check (the run's last).
   */
  async check(options: { isQuick?: boolean } = {}): Promise<GuardFinding[]> {
    const current = await readWatched(this.#commonDir, this.#verified, options.isQuick === true ? this.#listing : undefined);
    // A worktree git no longer has (removed, pruned) takes its configuration with it: nothing to put back.
    for (const path of [...this.#snapshot.keys()]) if (path.startsWith('worktrees/') && !current.has(path)) this.#snapshot.delete(path);
    const changed = new Set<string>();
    for (const [path, entry] of this.#snapshot) if (!isSame(entry, current.get(path))) changed.add(path);
    for (const path of current.keys()) if (!this.#snapshot.has(path)) changed.add(path);
    if (changed.size === 0) return [];
    for (const path of changed) this.#verified.delete(path);
    const configChanges = new Set<string>();
    const hookChanges: string[] = [];
    const isHook = (path: string) => path === HOOKS_DIRECTORY || path.startsWith(`${HOOKS_DIRECTORY}/`);
    const describe = async (path: string, after: Entry | undefined) => {
      const before = this.#snapshot.get(path);
      if (path === 'config' || path.endsWith('config.worktree')) for (const change of await configKeyChanges(this.#commonDir, path, before, after)) configChanges.add(change);
      else configChanges.add(fileChange(path, before, after));
    };
    for (const path of [...changed].sort()) {
      const before = this.#snapshot.get(path);
      const after = current.get(path);
      if (isHook(path)) hookChanges.push(fileChange(path, before, after));
      else await describe(path, after);
    }
    // Added files first (a planted hooks directory may stand where a file was), then the snapshot back.
    const added = [...changed].filter((path) => !this.#snapshot.has(path));
    for (const path of added) await rm(join(this.#commonDir, path), { force: true, recursive: true });
    await removeEmptyParents(this.#commonDir, added);
    for (const path of changed) {
      const entry = this.#snapshot.get(path);
      if (entry === undefined) continue;
      if (isHook(path)) {
        await restoreEntry(join(this.#commonDir, path), entry);
        continue;
      }
      // Under git's own lock, held for a read and a write: a `git config` between this look and the restore would be undone
      // unsaid. What the read in the lock saw since the look is said (after the lock, which a `git config` meanwhile fails on).
      let seen: Entry | undefined;
      await restoreLocked(join(this.#commonDir, path), entry, async () => {
        seen = await readEntry(this.#commonDir, path);
      });
      if (!isSame(entry, seen) && !isSameEntry(seen, current.get(path))) await describe(path, seen);
    }
    const findings: GuardFinding[] = [];
    if (configChanges.size > 0) findings.push({ kind: 'git-config', changes: [...configChanges] });
    if (hookChanges.length > 0) findings.push({ kind: 'git-hooks', changes: hookChanges });
    return findings;
  }
}

const guardFile = (commonDir: string) => join(commonDir, 'qoder-orch', 'guard.json');

const SavedSnapshotSchema = z.record(
  z.string(),
  z.discriminatedUnion('kind', [z.object({ kind: z.literal('file'), mode: z.number().int().min(-1).max(0o777), content: z.string() }), z.object({ kind: z.literal('link'), target: z.string() })]),
);

/** Only paths the guard itself watches may come back from its record: nothing else in the git directory is ever written from it. */
function isWatchedPath(path: string): boolean {
  if ((WATCHED_FILES as readonly string[]).includes(path)) return true;
  if (path.split('/').some((part) => part === '..' || part === '.' || part === '')) return false;
  return path === HOOKS_DIRECTORY || path.startsWith(`${HOOKS_DIRECTORY}/`) || /^worktrees\/[^/]+\/config\.worktree$/.test(path);
}

function isSame(left: Entry, right: Entry | undefined): boolean {
  if (right === undefined || left.kind !== right.kind) return false;
  if (left.kind === 'link') return left.target === (right as Extract<Entry, { kind: 'link' }>).target;
  const other = right as Extract<Entry, { kind: 'file' }>;
  return left.mode === other.mode && left.content.equals(other.content);
}

/** A watched file's change as `path added|removed|changed`. */
function fileChange(path: string, before: Entry | undefined, after: Entry | undefined): string {
  return `${path} ${before === undefined ? 'added' : after === undefined ? 'removed' : 'changed'}`;
}

function isSameEntry(left: Entry | undefined, right: Entry | undefined): boolean {
  return left === undefined ? right === undefined : isSame(left, right);
}

/** How long the guard waits for git's lock on a watched file (git holds it for the length of one write). */
const LOCK_WAIT_MS = 2000;

/**
 * Puts `entry` back at `path` the way git writes the file: through `<path>.lock`, created
 * exclusively, written, renamed over the file. While the lock is held `reread` looks at the file
 * once more (a writer that came between the look and the lock is seen). A lock held by
 * someone else is waited for; one that stays (left by a crashed git) is written past after
 * {@link LOCK_WAIT_MS}.
 */
async function restoreLocked(path: string, entry: Entry, reread: () => Promise<void>): Promise<void> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    const handle = await open(lock, 'wx', 0o644).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST' && Date.now() < deadline) return undefined;
      return null;
    });
    if (handle === null) return restoreEntry(path, entry);
    if (handle === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    let isRenamed = false;
    try {
      await reread();
      const info = await lstat(path).catch(() => undefined);
      if (entry.kind === 'link' || info?.isDirectory() === true) {
        await handle.close();
        await restoreEntry(path, entry);
      } else {
        await handle.writeFile(entry.content);
        await handle.chmod(entry.mode < 0 ? 0o644 : entry.mode);
        await handle.close();
        await rename(lock, path);
        isRenamed = true;
      }
    } finally {
      await handle.close().catch(() => undefined);
      // Once renamed, a lock file there now is another writer's.
      if (!isRenamed) await rm(lock, { force: true });
    }
    return;
  }
}

async function restoreEntry(path: string, entry: Entry): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const info = await lstat(path).catch(() => undefined);
  if (info?.isDirectory() === true) await rm(path, { recursive: true, force: true });
  const temporary = `${path}.qoder-orch-restore-${process.pid}`;
  await rm(temporary, { force: true, recursive: true });
  if (entry.kind === 'link') {
    await symlink(entry.target, temporary);
  } else {
    await writeFile(temporary, entry.content, { mode: entry.mode < 0 ? 0o644 : entry.mode });
    await chmod(temporary, entry.mode < 0 ? 0o644 : entry.mode);
  }
  await rename(temporary, path);
}

/** Directories that held only added files (a planted `hooks/sub/`), deepest first; never `hooks` itself. */
async function removeEmptyParents(root: string, added: readonly string[]): Promise<void> {
  const directories = new Set<string>();
  for (const path of added) {
    for (let directory = dirname(path); directory.startsWith(`${HOOKS_DIRECTORY}/`); directory = dirname(directory)) directories.add(directory);
  }
  const deepestFirst = [...directories].sort((left, right) => right.split('/').length - left.split('/').length);
  for (const directory of deepestFirst) await rmdir(join(root, directory)).catch(() => undefined);
}

/** Which keys differ between two versions of a config file, as `key added|removed|changed`. Falls back to the file when git cannot read one. */
async function configKeyChanges(commonDir: string, path: string, before: Entry | undefined, after: Entry | undefined): Promise<string[]> {
  const [old, now] = await Promise.all([configPairs(commonDir, before), configPairs(commonDir, after)]);
  if (old === undefined || now === undefined) return [fileChange(path, before, after)];
  const changes: string[] = [];
  const keys = [...new Set([...old.keys(), ...now.keys()])].sort();
  for (const key of keys) {
    const was = old.get(key);
    const is = now.get(key);
    if (was === undefined) changes.push(`${key} added`);
    else if (is === undefined) changes.push(`${key} removed`);
    else if (was.join('\0') !== is.join('\0')) changes.push(`${key} changed`);
  }
  // Bytes differ but every key reads the same (comments, layout): still restored, still said.
  return changes.length > 0 ? changes.map((change) => (path === 'config' ? change : `${change} (${path})`)) : [`${path} rewritten`];
}

/** The key → values of a config file's text, read by git itself (without following includes). */
async function configPairs(commonDir: string, entry: Entry | undefined): Promise<Map<string, string[]> | undefined> {
  const pairs = new Map<string, string[]>();
  if (entry === undefined) return pairs;
  if (entry.kind !== 'file') return undefined;
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-config-'));
  try {
    const file = join(directory, 'config');
    await writeFile(file, entry.content);
    const listed = await tryGit(commonDir, ['config', '--file', file, '--no-includes', '--list', '-z']);
    if (!listed.isOk) return undefined;
    for (const item of splitNul(listed.output)) {
      const newline = item.indexOf('\n');
      const key = newline < 0 ? item : item.slice(0, newline);
      const value = newline < 0 ? '' : item.slice(newline + 1);
      pairs.set(key, [...(pairs.get(key) ?? []), value]);
    }
    return pairs;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
