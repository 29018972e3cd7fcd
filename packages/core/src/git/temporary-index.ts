import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, splitNul, treeOfCommit, tryGit } from './git-client';
import { locateCheckout, readHeadCommit } from './git-files';

/**
 * Runs `use` with a private index file (`GIT_INDEX_FILE`), so building trees from the work tree
 * never touches the user's index. The private index starts as a copy of the real one (cheap: git
 * reuses its stat data) or, with `fromTree`, as that tree.
 */
export async function withTemporaryIndex<T>(cwd: string, use: (env: Record<string, string>) => Promise<T>, options: { fromTree?: string; indexFile?: string } = {}): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-index-'));
  const indexFile = join(directory, 'index');
  const env = { GIT_INDEX_FILE: indexFile };
  try {
    if (options.fromTree !== undefined) {
      await runGit(cwd, ['read-tree', options.fromTree], { env });
    } else {
      const realIndex = options.indexFile !== undefined ? { isOk: true as const, output: options.indexFile } : await tryGit(cwd, ['rev-parse', '--path-format=absolute', '--git-path', 'index']);
      if (realIndex.isOk) {
        // Keep the original's timestamps: git's racy-entry check compares file times with the
        // index file's own mtime, and a fresh copy would make same-second edits look clean.
        const source = realIndex.output.trim();
        const copied = await copyFile(source, indexFile).then(
          () => true,
          () => false,
        );
        const times = copied ? await stat(source).catch(() => undefined) : undefined;
        if (times !== undefined) await utimes(indexFile, times.atime, times.mtime);
      }
    }
    return await use(env);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * `git status` that never takes the index lock (`--no-optional-locks`): safe while an agent
 * works in the same tree, or the user in their checkout. Paths are relative to the top of the
 * working tree, with the changes staged in the index, those in the work tree and untracked files
 * not ignored (each file of a new folder listed), nested repositories as `path/`.
 */
const STATUS_ARGS = ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--ignore-submodules=dirty'] as const;

/**
 * The paths whose state in the work tree or index differs from HEAD (or that are untracked and
 * not ignored), as git's status machinery finds them: a stat of each tracked file, a hash only
 * of those whose stat changed. Relative to the top of the working tree, without duplicates.
 */
export async function changedWorkingPaths(cwd: string): Promise<string[]> {
  return (await statusOf(cwd, false)).changedPaths;
}

/** `changedWorkingPaths`, and with `isListingIgnored` the ignored files and folders too (`--ignored=matching`: a folder an ignore pattern matches is one entry, not walked). */
async function statusOf(cwd: string, isListingIgnored: boolean): Promise<{ changedPaths: string[]; ignoredPaths: string[] }> {
  const output = await runGit(cwd, isListingIgnored ? [...STATUS_ARGS, '--ignored=matching'] : STATUS_ARGS);
  const paths = new Set<string>();
  const ignored = new Set<string>();
  for (const entry of splitNul(output)) if (entry.length > 3) (entry.startsWith('!! ') ? ignored : paths).add(entry.slice(3).replace(/\/$/, ''));
  return { changedPaths: [...paths], ignoredPaths: [...ignored] };
}

/** The working state of a tree: what `workingTree` computes, with the HEAD it was compared with. */
export interface WorkingState {
  /** The commit HEAD points to (`undefined` on an unborn branch). */
  head?: string;
  /** Its tree. */
  headTree?: string;
  /** The tree of the working state (`headTree` when nothing differs). */
  tree: string;
  /** What git's status listed (relative to the top of the working tree): empty when the tree is HEAD's. */
  changedPaths: string[];
  /** Ignored files and folders (relative to the top of the working tree), with `isListingIgnored` only. */
  ignoredPaths?: string[];
}

export interface WorkingStateOptions {
  /** Also list ignored files and folders (`ignoredPaths`), in the same `git status`. */
  isListingIgnored?: boolean;
}

/**
 * The tree of the whole working state of `cwd`: tracked changes and untracked files, not ignored
 * ones, with modes and symlinks, as `git add -A` sees them. Touches neither index nor HEAD, and
 * takes no lock: git's status finds what differs from HEAD; when nothing does, the tree is HEAD's
 * (no index is written at all); otherwise a private copy of the index is updated with only those
 * paths (`update-index --add --remove --replace`) and written as a tree. The cost follows the
 * stat of the tree plus what changed, not the size of the files. One git process (status) when
 * nothing changed at the top of a checkout whose HEAD's tree is known (HEAD and the index are
 * read from git's files), one more (`rev-parse`) otherwise; two more when something changed.
 */
export async function workingState(cwd: string, options: WorkingStateOptions = {}): Promise<WorkingState> {
  const [status, located] = await Promise.all([statusOf(cwd, options.isListingIgnored === true), locateHead(cwd)]);
  const { changedPaths } = status;
  const ignored = options.isListingIgnored === true ? { ignoredPaths: status.ignoredPaths } : {};
  const { top, indexFile, head, headTree } = located;
  if (head !== undefined && headTree !== undefined && changedPaths.length === 0) return { head, headTree, tree: headTree, changedPaths, ...ignored };
  // No HEAD yet (the rev-parse failed on it): the paths again, without it.
  const paths = top !== undefined && indexFile !== undefined ? { top, indexFile } : await locate(cwd);
  const tree = await withTemporaryIndex(
    paths.top,
    async (env) => {
      if (changedPaths.length > 0) await runGit(paths.top, ['update-index', '-q', '--add', '--remove', '--replace', '-z', '--stdin'], { env, input: `${changedPaths.join('\0')}\0` });
      return (await runGit(paths.top, ['write-tree'], { env })).trim();
    },
    { indexFile: paths.indexFile },
  );
  return { ...(head === undefined || headTree === undefined ? {} : { head, headTree }), tree, changedPaths, ...ignored };
}

/**
 * The tree of the whole working state of the checkout at `cwd` (what `workingState` computes),
 * written into the checkout's own index: `add -A` there (git's stat data of that index spares
 * hashing what did not change) and `write-tree`, two processes. The index then holds the tree,
 * as `git reset` after a commit of it would leave it. Takes the index lock: only for a worktree
 * nothing else works in. Falls back to `workingState` (a private index, the checkout's own left
 * alone) when the lock is held, `cwd` is not the top of a checkout on a commit, or git fails.
 */
export async function stageWorkingState(cwd: string): Promise<{ head?: string; headTree?: string; tree: string }> {
  const { top, head, headTree } = await locateHead(cwd);
  if (top === undefined || head === undefined || headTree === undefined) return workingState(cwd);
  const added = await tryGit(top, ['add', '-A', '--', '.']);
  const written = added.isOk ? await tryGit(top, ['write-tree']) : added;
  return written.isOk ? { head, headTree, tree: written.output.trim() } : workingState(cwd);
}

/**
 * Where `cwd`'s index is, its HEAD and HEAD's tree: from git's files when `cwd` is the top of a
 * checkout on a loose ref or a detached HEAD (no process at all once HEAD's tree is known),
 * otherwise from one `rev-parse`. Fields are missing when there is no HEAD yet.
 */
async function locateHead(cwd: string): Promise<{ top?: string; indexFile?: string; head?: string; headTree?: string }> {
  const location = await locateCheckout(cwd);
  const head = location === undefined ? undefined : await readHeadCommit(location);
  if (location !== undefined && head !== undefined) {
    const headTree = await treeOfCommit(cwd, head).catch(() => undefined);
    if (headTree !== undefined) return { top: location.top, indexFile: location.indexFile, head, headTree };
  }
  const located = await tryGit(cwd, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-path', 'index', 'HEAD', 'HEAD^{tree}']);
  const [top, indexFile, headLine, headTree] = located.isOk ? located.output.trim().split('\n') : [];
  return { ...(top === undefined ? {} : { top }), ...(indexFile === undefined ? {} : { indexFile }), ...(headLine === undefined ? {} : { head: headLine }), ...(headTree === undefined ? {} : { headTree }) };
}

async function locate(cwd: string): Promise<{ top: string; indexFile: string }> {
  const [top = cwd, indexFile = ''] = (await runGit(cwd, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-path', 'index'])).trim().split('\n');
  return { top, indexFile };
}

/** The tree of the whole working state of `cwd` (see `workingState`). */
export async function workingTree(cwd: string, options: { fromTree?: string } = {}): Promise<string> {
  if (options.fromTree !== undefined) return wholeTreeFrom(cwd, options.fromTree);
  return (await workingState(cwd)).tree;
}

/** `workingTree` on top of `tree` instead of the index: every file is hashed (no stat data to trust). */
async function wholeTreeFrom(cwd: string, tree: string): Promise<string> {
  return withTemporaryIndex(
    cwd,
    async (env) => {
      await runGit(cwd, ['add', '-A', '--', '.'], { env });
      return (await runGit(cwd, ['write-tree'], { env })).trim();
    },
    { fromTree: tree },
  );
}

/** The tree the real index holds now, or `undefined` when it cannot be written (unmerged entries). Leaves the index as it was. */
export async function indexTree(cwd: string): Promise<string | undefined> {
  return withTemporaryIndex(cwd, async (env) => {
    const result = await tryGit(cwd, ['write-tree'], { env });
    return result.isOk ? result.output.trim() : undefined;
  });
}
