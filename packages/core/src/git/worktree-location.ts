import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { refComponent } from './ref-names';

/**
 * Where task worktrees go by default: the user's cache directory
 * (`$XDG_CACHE_HOME`, else `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows, else
 * `~/.cache`), under `qoder-orch/worktrees`.
 *
 * Why there: anything inside the project tree is seen by the project's own test runners (Node's
 * `node --test` descends into dot-folders), by the user's commands and by checks of other tasks;
 * a sibling of the project would litter the user's folders; the system temp folder is wiped on
 * reboot and would lose the kept worktrees of failed tasks before the user inspects them. A cache
 * folder is the user's, survives reboots, and losing it loses nothing the run needs (work left in
 * a worktree is kept under `refs/qoder-orch/leftovers/` before it is removed).
 */
export function defaultWorktreeRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const xdg = env['XDG_CACHE_HOME'];
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
  let cache: string;
  if (xdg !== undefined && isAbsolute(xdg)) cache = xdg;
  else if (platform === 'darwin') cache = join(home, 'Library', 'Caches');
  else if (platform === 'win32' && env['LOCALAPPDATA']) cache = env['LOCALAPPDATA'];
  else cache = join(home, '.cache');
  return join(cache, 'qoder-orch', 'worktrees');
}

/**
 * The folder that holds one repository's task worktrees under `worktreeRoot`:
 * `<repository folder name>-<12 hex of the SHA-256 of its real path>`. The name is for people
 * browsing the folder; the hash keeps two checkouts with the same name (or the same checkout
 * reached through a symlink) apart and together respectively.
 */
export function projectWorktreeFolder(worktreeRoot: string, repositoryRoot: string): string {
  const real = realPathOf(repositoryRoot);
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 12);
  return join(realPathOf(resolve(worktreeRoot)), `${refComponent(basename(real))}-${hash}`);
}

/**
 * Refuses a worktree root inside the repository's working tree: worktrees there are what the
 * project's test runners and commands would find.
 *
 * @throws OrchestratorError `CONFIG_INVALID`
 */
export function assertOutsideRepository(worktreeFolder: string, repositoryRoot: string): void {
  const root = realPathOf(repositoryRoot);
  const inside = relative(root, realPathOf(worktreeFolder));
  if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside))) {
    throw new OrchestratorError({
      code: 'CONFIG_INVALID',
      message: `Task worktrees would live inside the repository (${worktreeFolder}), where the project's tests and commands would see other tasks' files.`,
      fix: 'Set `execution.worktree_root` (or QODER_ORCH_WORKTREE_ROOT) to a folder outside the repository, or leave it unset for the user cache folder.',
    });
  }
}

/** The real path of `path`, or of its nearest existing parent with the rest appended (the root may not exist yet). */
function realPathOf(path: string): string {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(realpathSync.native(current), ...missing.reverse());
    } catch {
      const parent = resolve(current, '..');
      if (parent === current) return resolve(path);
      missing.push(basename(current));
      current = parent;
    }
  }
}

/** A folder named in configuration: `~` and `~/…` are the home folder, a relative path is relative to the project. */
export function resolveUserPath(path: string, projectDir: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return resolve(projectDir, path);
}
