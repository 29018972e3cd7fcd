import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { headCommit, runGit, tryGit } from './git-client';
import { locateCheckout } from './git-files';
import { DEFAULT_GIT_IDENTITY, type GitIdentity, identityEnvironment } from './git-identity';
import { PRIVATE_DIRECTORY } from './ref-names';

/** The tree with nothing in it, the same object id in every repository (SHA-1). */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Where a repository keeps its files, as absolute paths. */
export interface RepositoryPaths {
  /** The top of the working tree that contains the directory asked about. */
  root: string;
  /** This working tree's git directory (`.git`, or `.git/worktrees/<name>` in a linked worktree). */
  gitDir: string;
  /** The directory shared by all worktrees (refs, objects, `info/exclude`). */
  commonDir: string;
}

/** Whether `dir` is inside the working tree of a git repository. Never throws. */
export async function isGitRepository(dir: string): Promise<boolean> {
  return (await workTreePaths(dir)) !== undefined;
}

/**
 * Whether `dir` is inside a repository's work tree, and its paths, from one `git rev-parse`
 * (`--is-inside-work-tree` and the paths together, remembered as `repositoryPaths` remembers
 * them): `undefined` outside a work tree (no repository, a bare one, inside `.git`). Never throws.
 */
export async function workTreePaths(dir: string): Promise<RepositoryPaths | undefined> {
  const exists = await stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!exists) return undefined;
  const known = await stillKnownPaths(dir);
  if (known !== undefined) return { ...known };
  const result = await tryGit(dir, ['rev-parse', '--is-inside-work-tree', '--path-format=absolute', '--show-toplevel', '--absolute-git-dir', '--git-common-dir']).catch(() => ({ isOk: false as const, message: '' }));
  const lines = result.isOk ? result.output.split('\n').filter((line) => line.length > 0) : [];
  if (lines.length < 4 || lines[0]?.trim() !== 'true') return undefined;
  return remember(dir, lines.slice(1) as [string, string, string]);
}

/** Paths git gave for directories asked about before (the preflight, the orchestrator and the workspace each ask at a run's start). */
const knownPaths = new Map<string, RepositoryPaths>();

/**
 * The paths git gave for `dir` before, when git's files show they still hold: the same git
 * directories at the root, and no checkout (`.git`) of its own between `dir` and the root.
 */
async function stillKnownPaths(dir: string): Promise<RepositoryPaths | undefined> {
  const key = resolve(dir);
  const known = knownPaths.get(key);
  if (known === undefined) return undefined;
  const location = await locateCheckout(known.root);
  let isSame = location !== undefined && location.gitDir === known.gitDir && location.commonDir === known.commonDir;
  for (let folder = key; isSame && folder !== resolve(known.root) && folder !== dirname(folder); folder = dirname(folder)) {
    isSame = !(await stat(join(folder, '.git')).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
    ));
  }
  if (!isSame) knownPaths.delete(key);
  return isSame ? known : undefined;
}

/** The working tree root and git directories of the repository containing `dir`. */
export async function repositoryPaths(dir: string): Promise<RepositoryPaths> {
  const known = await stillKnownPaths(dir);
  if (known !== undefined) return { ...known };
  const result = await tryGit(dir, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--absolute-git-dir', '--git-common-dir']);
  const lines = result.isOk ? result.output.split('\n').filter((line) => line.length > 0) : [];
  if (lines.length < 3) {
    throw new OrchestratorError({
      code: 'GIT_ERROR',
      message: `${dir} is not inside a git working tree${result.isOk ? '' : `: ${result.message}`}`,
      fix: `Run \`git init\` in ${dir} (or pass a directory inside a repository).`,
    });
  }
  return remember(dir, lines as [string, string, string]);
}

/** The paths in `rev-parse --show-toplevel --absolute-git-dir --git-common-dir` lines, remembered for `dir`. */
function remember(dir: string, [root, gitDir, commonDir]: readonly [string, string, string]): RepositoryPaths {
  const paths = { root, gitDir, commonDir: isAbsolute(commonDir) ? commonDir : resolve(root, commonDir) };
  if (knownPaths.size >= 64) knownPaths.clear();
  knownPaths.set(resolve(dir), paths);
  return { ...paths };
}

export interface InitRepositoryOptions {
  /** Author and committer of the first commit. @default DEFAULT_GIT_IDENTITY */
  identity?: GitIdentity;
  /** The first branch's name. @default 'main' */
  initialBranch?: string;
}

/**
 * Makes `dir` a repository with one empty commit, so runs have a head to build on. Files already
 * in `dir` are left untracked (they are the user's to commit). A directory that is already a
 * repository is left as it is. Returns the repository root.
 */
export async function initRepository(dir: string, options: InitRepositoryOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  if (!(await isGitRepository(dir))) {
    await runGit(dir, ['init', '-q', `--initial-branch=${options.initialBranch ?? 'main'}`]);
  }
  const { root } = await repositoryPaths(dir);
  await ensureInitialCommit(root, options.identity ?? DEFAULT_GIT_IDENTITY);
  return root;
}

/** Gives an unborn branch an empty first commit. Returns the head commit. */
export async function ensureInitialCommit(root: string, identity: GitIdentity): Promise<string> {
  const head = await headCommit(root);
  if (head !== undefined) return head;
  const env = identityEnvironment(identity);
  const commit = (await runGit(root, ['commit-tree', EMPTY_TREE, '-m', 'qoder-orch: initial commit'], { env })).trim();
  await runGit(root, ['update-ref', '-m', 'qoder-orch: initial commit', 'HEAD', commit, '']);
  return commit;
}

/** Keeps `.qoder-orch/` (run files, caches) out of every snapshot and `git status`, via `info/exclude`. */
export async function ensurePrivateDirectoryExcluded(commonDir: string): Promise<void> {
  await ensureExcluded(commonDir, [`/${PRIVATE_DIRECTORY}/`]);
}

/** Appends the patterns `info/exclude` does not hold yet (it is shared by every worktree of the repository). */
export async function ensureExcluded(commonDir: string, patterns: readonly string[]): Promise<void> {
  const file = join(commonDir, 'info', 'exclude');
  const text = await readFile(file, 'utf8').catch(() => '');
  const present = new Set(text.split(/\r?\n/));
  const missing = [...new Set(patterns)].filter((pattern) => !present.has(pattern));
  if (missing.length === 0) return;
  await mkdir(join(commonDir, 'info'), { recursive: true });
  await appendFile(file, `${text.length > 0 && !text.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
}
