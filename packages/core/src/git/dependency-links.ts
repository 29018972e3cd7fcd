import { lstat, readlink, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { splitNul, tryGit } from './git-client';
import { ensureExcluded } from './repository';

/**
 * Folders of installed dependencies a check needs and git does not carry: Node's `node_modules`
 * (at the top and in workspace packages) and Python virtualenvs. Installing them again in every
 * worktree would cost minutes and network per task; linking them costs nothing.
 */
const DEPENDENCY_FOLDER_NAMES = new Set(['node_modules', '.venv', 'venv']);

/**
 * The installed dependency folders of the main checkout that git does not track (untracked or
 * ignored), relative to the repository root. One walk of the untracked files: list once per run.
 */
export async function findDependencyFolders(root: string): Promise<string[]> {
  // `--directory` lists an untracked folder once instead of walking it: cheap on large trees.
  const listed = await tryGit(root, ['ls-files', '-z', '--others', '--directory', '--no-empty-directory']);
  if (!listed.isOk) return [];
  return splitNul(listed.output)
    .map((entry) => entry.replace(/\/$/, ''))
    .filter((path) => DEPENDENCY_FOLDER_NAMES.has(basename(path)));
}

/**
 * Links the main checkout's installed dependency folders (`findDependencyFolders`) into a task's
 * worktree, so the project's checks resolve its dependencies there as they do in the project.
 * Only folders that exist in the main checkout and are absent from the worktree are linked. Links
 * git would not ignore by itself (a `node_modules/` pattern matches folders, not a link) are
 * added to the repository's `info/exclude`, so neither `git status`, nor the run's change
 * detection, nor a commit ever picks them up.
 *
 * @returns the linked paths, relative to the repository root.
 */
export async function linkDependencyFolders(input: { root: string; worktree: string; commonDir: string; folders: readonly string[] }): Promise<string[]> {
  const { root, worktree, commonDir } = input;
  const linked: string[] = [];
  for (const path of input.folders) {
    const source = join(root, path);
    const target = join(worktree, path);
    if (!(await isPlaceableDependency(source, target))) continue;
    // A junction needs no privilege on Windows; elsewhere the type is ignored.
    await symlink(source, target, process.platform === 'win32' ? 'junction' : 'dir');
    linked.push(path);
  }
  if (linked.length === 0) return linked;
  // Usually written before the run began (`dependencyExcludePatterns`); a no-op then.
  await ensureExcluded(commonDir, dependencyExcludePatterns(linked));
  return linked;
}

/**
 * Whether a dependency folder can go from `source` (the main checkout's) to `target` (in a
 * worktree): the source is a folder, the target's parent exists, and nothing is at the target yet.
 */
export async function isPlaceableDependency(source: string, target: string): Promise<boolean> {
  const isFolder = (path: string) =>
    stat(path).then(
      (info) => info.isDirectory(),
      () => false,
    );
  const isTaken = await lstat(target).then(
    () => true,
    () => false,
  );
  return !isTaken && (await isFolder(source)) && (await isFolder(dirname(target)));
}

/** The dependency folders among `folders` that are links from `worktree` to the main checkout's. */
export async function linkedFolders(root: string, worktree: string, folders: readonly string[]): Promise<string[]> {
  const linked: string[] = [];
  for (const path of folders) {
    const target = join(worktree, path);
    const isLink = await lstat(target).then(
      (info) => info.isSymbolicLink(),
      () => false,
    );
    if (isLink && (await readlink(target).catch(() => '')) === join(root, path)) linked.push(path);
  }
  return linked;
}

/**
 * The `info/exclude` lines that keep links to dependency folders out of git: one literal,
 * anchored pattern per folder. The folders are untracked in the main checkout already, so the
 * lines change nothing there but hide the links in every worktree.
 */
export function dependencyExcludePatterns(folders: readonly string[]): string[] {
  return folders.map((path) => `/${escapePattern(path)}`);
}

/** A path as a literal gitignore pattern. */
function escapePattern(path: string): string {
  return path.replace(/[\\*?[\]!#]/g, (character) => `\\${character}`).replace(/ $/, '\\ ');
}
