import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, tryGit } from './git-client';

/**
 * Runs `use` with a private index file (`GIT_INDEX_FILE`), so building trees from the work tree
 * never touches the user's index. The private index starts as a copy of the real one (cheap: git
 * reuses its stat data) or, with `fromTree`, as that tree.
 */
export async function withTemporaryIndex<T>(cwd: string, use: (env: Record<string, string>) => Promise<T>, options: { fromTree?: string } = {}): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-index-'));
  const indexFile = join(directory, 'index');
  const env = { GIT_INDEX_FILE: indexFile };
  try {
    if (options.fromTree !== undefined) {
      await runGit(cwd, ['read-tree', options.fromTree], { env });
    } else {
      const realIndex = await tryGit(cwd, ['rev-parse', '--path-format=absolute', '--git-path', 'index']);
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
 * The tree of the whole working state of `cwd`: tracked changes and untracked files, not ignored
 * ones, with modes and symlinks, as `git add -A` sees them. Touches neither index nor HEAD.
 */
export async function workingTree(cwd: string, options: { fromTree?: string } = {}): Promise<string> {
  return withTemporaryIndex(
    cwd,
    async (env) => {
      await runGit(cwd, ['add', '-A', '--', '.'], { env });
      return (await runGit(cwd, ['write-tree'], { env })).trim();
    },
    options,
  );
}

/** The tree the real index holds now, or `undefined` when it cannot be written (unmerged entries). Leaves the index as it was. */
export async function indexTree(cwd: string): Promise<string | undefined> {
  return withTemporaryIndex(cwd, async (env) => {
    const result = await tryGit(cwd, ['write-tree'], { env });
    return result.isOk ? result.output.trim() : undefined;
  });
}
