import { writeCommitObject } from './commit-object';
import { runGit, splitNul, treeOfCommit } from './git-client';
import { knownTreeOf, rememberParentsOf, rememberTreeOf } from './git-files';
import { type GitIdentity, identityEnvironment } from './git-identity';
import { workingTree } from './temporary-index';

/** A commit object holding a whole working state; never on a branch, kept alive by a private ref. */
export interface StateCommit {
  commit: string;
  tree: string;
}

/** Writes a commit object for `tree` with the given parents. Touches no ref. */
export async function commitTree(root: string, tree: string, options: { parents: readonly string[]; message: string; identity: GitIdentity }): Promise<string> {
  // The object git would write, written here (no process); git writes it when this cannot be sure to (see `writeCommitObject`).
  const now = Date.now();
  const content = { tree, parents: options.parents, message: options.message, identity: options.identity, seconds: Math.floor(now / 1000), offsetMinutes: -new Date(now).getTimezoneOffset() };
  const written = await writeCommitObject(root, content).catch(() => undefined);
  const parentArgs = options.parents.flatMap((parent) => ['-p', parent]);
  const commit = written ?? (await runGit(root, ['commit-tree', tree, ...parentArgs, '-m', options.message], { env: identityEnvironment(options.identity) })).trim();
  rememberTreeOf(commit, tree);
  rememberParentsOf(commit, options.parents);
  return commit;
}

/**
 * Records the whole working state of `root` (tracked changes, untracked files, deletions, modes,
 * symlinks; not ignored files) as a commit object whose parent is `parent`. Touches neither the
 * index, nor HEAD, nor the stash list.
 */
export async function snapshotWorkingState(root: string, options: { parent?: string; message: string; identity: GitIdentity }): Promise<StateCommit> {
  const tree = await workingTree(root);
  const commit = await commitTree(root, tree, { parents: options.parent === undefined ? [] : [options.parent], message: options.message, identity: options.identity });
  return { commit, tree };
}

/** The tree of a commit (or a tree id itself). */
export async function treeOf(root: string, treeish: string): Promise<string> {
  if (/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(treeish)) return treeOfCommit(root, treeish).catch(() => treeOfObject(root, treeish));
  return treeOfObject(root, treeish);
}

async function treeOfObject(root: string, treeish: string): Promise<string> {
  return (await runGit(root, ['rev-parse', '--verify', `${treeish}^{tree}`])).trim();
}

/** Paths whose content, mode or type differ between two trees, optionally only those in `paths`. */
export async function changedPathsBetween(root: string, from: string, to: string, paths?: Iterable<string>): Promise<string[]> {
  const changed = await diffTreeNames(root, from, to);
  if (paths === undefined) return changed;
  const wanted = new Set(paths);
  return changed.filter((path) => wanted.has(path));
}

/** The last few differences between two objects named by id: objects never change, so neither does their difference (a task's change is asked for by the merge and by the check-change detection). */
const recentDifferences = new Map<string, ReadonlyArray<{ status: string; path: string }>>();
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Changes between two trees as `[status, path]` (A added, D deleted, M modified, T type changed). */
export async function treeChanges(root: string, from: string, to: string): Promise<Array<{ status: string; path: string }>> {
  // A commit's difference is its tree's: a commit whose tree is known shares the tree's entry.
  const key = OBJECT_ID.test(from) && OBJECT_ID.test(to) ? `${knownTreeOf(from) ?? from}:${knownTreeOf(to) ?? to}` : undefined;
  const known = key === undefined ? undefined : recentDifferences.get(key);
  if (known !== undefined) return known.map((change) => ({ ...change }));
  const parts = splitNul(await runGit(root, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to]));
  const changes: Array<{ status: string; path: string }> = [];
  for (let index = 0; index + 1 < parts.length; index += 2) changes.push({ status: parts[index] as string, path: parts[index + 1] as string });
  if (key !== undefined) {
    if (recentDifferences.size >= 64) recentDifferences.clear();
    recentDifferences.set(
      key,
      changes.map((change) => ({ ...change })),
    );
  }
  return changes;
}

async function diffTreeNames(root: string, from: string, to: string): Promise<string[]> {
  return (await treeChanges(root, from, to)).map((change) => change.path);
}
