import { constants } from 'node:fs';
import { cp, lstat, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Files of a virtualenv that hold its own absolute path (scripts' `#!` lines, `activate`, `.pth` files): small text files only. */
const MAX_RELOCATED_BYTES = 1_000_000;

/**
 * Copies the main checkout's dependency folders into a worktree, once per worktree: a private
 * copy an agent may install into without touching the user's checkout. `fs.cp` recursive, links
 * copied as they are written (`verbatimSymlinks`: pnpm's relative links keep pointing inside
 * the copy, a venv's `python` keeps pointing at the interpreter), files cloned where the file
 * system can (`COPYFILE_FICLONE`: copy-on-write on btrfs, XFS, APFS; a plain copy elsewhere).
 * A virtualenv is then relocated: the absolute path of the original in its scripts and `.pth`
 * files is replaced by the copy's, or its `pip` would still install into the user's venv.
 *
 * @returns the folders copied, repository-relative.
 */
export async function copyDependencyFolders(input: { root: string; worktree: string; folders: readonly string[] }): Promise<string[]> {
  const copied: string[] = [];
  for (const path of input.folders) {
    const source = join(input.root, path);
    const target = join(input.worktree, path);
    const isFolder = await stat(source).then(
      (info) => info.isDirectory(),
      () => false,
    );
    const hasParent = await stat(dirname(target)).then(
      (info) => info.isDirectory(),
      () => false,
    );
    const isTaken = await lstat(target).then(
      () => true,
      () => false,
    );
    if (!isFolder || !hasParent || isTaken) continue;
    await cp(source, target, { recursive: true, verbatimSymlinks: true, mode: constants.COPYFILE_FICLONE, errorOnExist: true, force: false });
    if (await isVirtualenv(target)) await relocateVirtualenv(target, source);
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

/** Rewrites `from` (the original venv's absolute path) to the copy's in its scripts, `pyvenv.cfg` and site-packages' `.pth`/`.egg-link` files. */
async function relocateVirtualenv(copy: string, from: string): Promise<void> {
  const candidates = [join(copy, 'pyvenv.cfg')];
  for (const scripts of ['bin', 'Scripts']) {
    for (const name of await readdir(join(copy, scripts)).catch(() => [] as string[])) candidates.push(join(copy, scripts, name));
  }
  for (const lib of ['lib', 'lib64', 'Lib']) {
    const libFolder = join(copy, lib);
    const versions = lib === 'Lib' ? [''] : await readdir(libFolder).catch(() => [] as string[]);
    for (const version of versions) {
      const sitePackages = join(libFolder, version, 'site-packages');
      for (const name of await readdir(sitePackages).catch(() => [] as string[])) {
        if (name.endsWith('.pth') || name.endsWith('.egg-link')) candidates.push(join(sitePackages, name));
      }
    }
  }
  for (const file of candidates) {
    const info = await lstat(file).catch(() => undefined);
    if (info === undefined || !info.isFile() || info.size > MAX_RELOCATED_BYTES) continue;
    const content = await readFile(file);
    // Binary files (a launcher .exe) are left alone: only text holding the path is rewritten.
    if (content.includes(0) || !content.includes(from)) continue;
    await writeFile(file, content.toString('utf8').split(from).join(copy), { mode: info.mode });
  }
}
