import { constants } from 'node:fs';
import { cp, lstat, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isPlaceableDependency } from '../../git/dependency-links';

/** Files of a virtualenv that hold its own absolute path (scripts' `#!` lines, `activate`, `.pth` files): small text files only. */
const MAX_RELOCATED_BYTES = 1_000_000;

/**
 * Copies the main checkout's dependency folders into a worktree, once per worktree: a private
 * copy an agent may install into without touching the user's checkout. `fs.cp` recursive, links
 * copied as they are written (`verbatimSymlinks`: pnpm's relative links keep pointing inside
 * the copy, a venv's `python` keeps pointing at the interpreter), files cloned where the file
 * system can (`COPYFILE_FICLONE`: copy-on-write on btrfs, XFS, APFS; a plain copy elsewhere).
 * A virtualenv is then relocated: the main checkout's absolute path in its scripts, `.pth` files
 * and editable-install finders is replaced by the worktree's, or its `pip` would still install
 * into the user's venv and an editable install of the project would import the user's checkout.
 *
 * @returns the folders copied, repository-relative.
 */
export async function copyDependencyFolders(input: { root: string; worktree: string; folders: readonly string[] }): Promise<string[]> {
  const copied: string[] = [];
  for (const path of input.folders) {
    const source = join(input.root, path);
    const target = join(input.worktree, path);
    if (!(await isPlaceableDependency(source, target))) continue;
    await cp(source, target, { recursive: true, verbatimSymlinks: true, mode: constants.COPYFILE_FICLONE, errorOnExist: true, force: false });
    if (await isVirtualenv(target)) await relocateVirtualenv(target, input.root, input.worktree);
    copied.push(path);
  }
  return copied;
}

async function isVirtualenv(folder: string): Promise<boolean> {
  return stat(join(folder, 'pyvenv.cfg')).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** A venv's files that may hold absolute paths: `pyvenv.cfg`, its scripts, and site-packages' `.pth`, `.egg-link` and editable finders. */
async function pathHoldingFiles(venv: string): Promise<string[]> {
  const files = [join(venv, 'pyvenv.cfg')];
  for (const scripts of ['bin', 'Scripts']) {
    for (const name of await readdir(join(venv, scripts)).catch(() => [] as string[])) files.push(join(venv, scripts, name));
  }
  for (const lib of ['lib', 'lib64', 'Lib']) {
    const versions = lib === 'Lib' ? [''] : await readdir(join(venv, lib)).catch(() => [] as string[]);
    for (const version of versions) {
      const sitePackages = join(venv, lib, version, 'site-packages');
      for (const name of await readdir(sitePackages).catch(() => [] as string[])) {
        if (name.endsWith('.pth') || name.endsWith('.egg-link') || (name.startsWith('__editable__') && name.endsWith('.py'))) files.push(join(sitePackages, name));
      }
    }
  }
  return files;
}

/** `path` as a pattern matching it whole (not as the start of a longer name). */
function pathPattern(path: string): RegExp {
  return new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[/\\\\\\s"':;]|$)`, 'gm');
}

/** Small text files (a launcher .exe is binary: left alone). */
async function textOf(file: string): Promise<{ text: string; mode: number } | undefined> {
  const info = await lstat(file).catch(() => undefined);
  if (info === undefined || !info.isFile() || info.size > MAX_RELOCATED_BYTES) return undefined;
  const content = await readFile(file);
  return content.includes(0) ? undefined : { text: content.toString('utf8'), mode: info.mode };
}

/** Rewrites the main checkout's path (`from`) to the worktree's (`to`) in a copied venv's path-holding files. */
async function relocateVirtualenv(venv: string, from: string, to: string): Promise<void> {
  const pattern = pathPattern(from);
  for (const file of await pathHoldingFiles(venv)) {
    const read = await textOf(file);
    if (read === undefined || !pattern.test(read.text)) continue;
    pattern.lastIndex = 0;
    await writeFile(file, read.text.replace(pattern, to), { mode: read.mode });
  }
}

/**
 * The site-packages files of the main checkout's venv at `path` that point into the repository outside
 * the venv: editable installs of the project, which import the main checkout's code, not the
 * worktree's, when the venv is shared.
 */
export async function editableInstallsInto(root: string, path: string): Promise<string[]> {
  const venv = join(root, path);
  if (!(await isVirtualenv(venv))) return [];
  const pattern = pathPattern(root);
  const venvPattern = pathPattern(venv);
  const found: string[] = [];
  for (const file of await pathHoldingFiles(venv)) {
    if (!file.includes('site-packages')) continue;
    const read = await textOf(file);
    if (read === undefined) continue;
    const withoutVenv = read.text.replace(venvPattern, '');
    if (pattern.test(withoutVenv)) found.push(basename(file));
    pattern.lastIndex = 0;
  }
  return found;
}
