import { chmod, copyFile, lstat, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { forPathBatches, LITERAL_PATHSPECS, splitNul, tryGit } from '../../git/git-client';

/** The patterns of an include file, and those refused (they would name paths outside the repository). */
export interface IncludePatterns {
  patterns: string[];
  refused: string[];
}

/**
 * Reads a `.worktreeinclude`-style file: gitignore syntax (`#` comments, blank lines, `!`
 * negation, `/` anchoring, `*`, `**`), one pattern a line. A pattern with a `..` segment would
 * reach outside the repository: it is refused (reported), never passed on. A missing file is
 * no patterns.
 */
export async function readIncludePatterns(file: string): Promise<IncludePatterns> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const patterns: string[] = [];
  const refused: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const body = line.startsWith('!') ? line.slice(1) : line;
    if (body.split('/').includes('..') || isAbsolute(body.replace(/^\//, '')) || /^[A-Za-z]:[\\/]/.test(body)) refused.push(line);
    else patterns.push(line);
  }
  return { patterns, refused };
}

/**
 * The files of the main checkout that are both matched by `patterns` and ignored by git,
 * repository-relative: the documented `.worktreeinclude` rule (Claude Code, Conductor,
 * git-worktreeinclude). Git itself does the gitignore matching: `ls-files --others --ignored
 * -x <pattern>…` lists untracked files the patterns match (later patterns win, `!` re-includes),
 * and `ls-files --others --ignored --exclude-standard --directory` says what the repository's
 * own ignore rules ignore (a whole ignored folder as one entry). Tracked files are never listed.
 */
export async function listIncludedFiles(root: string, patterns: readonly string[]): Promise<string[]> {
  if (patterns.length === 0) return [];
  const [matched, ignored] = await Promise.all([
    tryGit(root, ['ls-files', '-z', '--others', '--ignored', ...patterns.flatMap((pattern) => ['-x', pattern])]),
    tryGit(root, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']),
  ]);
  if (!matched.isOk || !ignored.isOk) return [];
  const ignoredEntries = splitNul(ignored.output);
  const ignoredFiles = new Set(ignoredEntries.filter((entry) => !entry.endsWith('/')));
  const ignoredFolders = ignoredEntries.filter((entry) => entry.endsWith('/'));
  return splitNul(matched.output).filter((path) => ignoredFiles.has(path) || ignoredFolders.some((folder) => path.startsWith(folder)));
}

function isInside(parent: string, path: string): boolean {
  const rel = relative(parent, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Copies `paths` (repository-relative) from the main checkout into a worktree, keeping each
 * file's mode. Refused, and reported by name: a file (or a link) whose real place is outside the
 * repository, anything that is not a regular file, a target whose folder leads outside the
 * worktree (a tracked link), and a path the worktree tracks. Contents are never read here
 * beyond the copy, and never reported.
 */
export async function copyIncludedFiles(input: { root: string; worktree: string; paths: readonly string[] }): Promise<{ copied: string[]; refused: Array<{ path: string; reason: string }> }> {
  const root = await realpath(input.root);
  const worktree = await realpath(input.worktree);
  const copied: string[] = [];
  const refused: Array<{ path: string; reason: string }> = [];
  const tracked = new Set<string>();
  await forPathBatches(input.paths, async (batch) => {
    const listed = await tryGit(worktree, ['ls-files', '-z', '--', ...batch], { env: LITERAL_PATHSPECS });
    if (listed.isOk) for (const path of splitNul(listed.output)) tracked.add(path);
  });
  for (const path of input.paths) {
    const source = join(root, path);
    const real = await realpath(source).catch(() => undefined);
    if (real === undefined || !isInside(root, real)) {
      refused.push({ path, reason: (await lstat(source).catch(() => undefined))?.isSymbolicLink() ? 'a link that leads outside the repository' : 'not found' });
      continue;
    }
    const info = await stat(real);
    if (!info.isFile()) {
      refused.push({ path, reason: 'not a regular file' });
      continue;
    }
    if (tracked.has(path)) {
      refused.push({ path, reason: 'tracked in the worktree' });
      continue;
    }
    const target = resolve(worktree, path);
    await mkdir(dirname(target), { recursive: true });
    const folder = await realpath(dirname(target));
    if (!isInside(worktree, folder)) {
      refused.push({ path, reason: 'its folder in the worktree leads outside it' });
      continue;
    }
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isSymbolicLink()) {
      refused.push({ path, reason: 'a link is in its place in the worktree' });
      continue;
    }
    await copyFile(real, target);
    await chmod(target, info.mode & 0o7777);
    copied.push(path);
  }
  return { copied, refused };
}
