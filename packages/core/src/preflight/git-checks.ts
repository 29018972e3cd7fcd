import { access, constants, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tryGit } from '../git/git-client';
import { gitVersion, MINIMUM_GIT_VERSION } from '../git/git-version';
import { initRepository, type RepositoryPaths, repositoryPaths, workTreePaths } from '../git/repository';
import { PRIVATE_DIRECTORY, PRIVATE_REF_ROOT } from '../git/ref-names';
import type { PreflightCheck } from './preflight-report';
import { fail, pass, warn } from './check-result';

export async function checkGitInstalled(cwd: string): Promise<PreflightCheck> {
  const label = 'Git installed';
  const result = await gitVersion(cwd);
  if (!result.isOk) return fail('git.installed', label, `git could not be run: ${result.message}`, 'Install git 2.38 or later (https://git-scm.com/downloads) and make sure it is on PATH.');
  if (!result.version.isSupported) {
    return fail('git.installed', label, `git ${result.version.text} is too old: merges need \`git merge-tree --write-tree\`.`, `Upgrade git to ${MINIMUM_GIT_VERSION.join('.')} or later.`);
  }
  return pass('git.installed', label, `git ${result.version.text}`);
}

export async function checkProjectReadable(projectDir: string): Promise<PreflightCheck> {
  const label = 'Project structure';
  const info = await stat(projectDir).catch(() => undefined);
  if (info === undefined) return fail('project.readable', label, `${projectDir} does not exist.`, 'Pass an existing project directory (--cwd).');
  if (!info.isDirectory()) return fail('project.readable', label, `${projectDir} is not a directory.`, 'Pass the project directory, not a file.');
  try {
    await access(projectDir, constants.R_OK | constants.W_OK | constants.X_OK);
    const entries = await readdir(projectDir);
    return pass('project.readable', label, `${projectDir} is readable and writable (${entries.length} entries).`);
  } catch (error) {
    return fail('project.readable', label, `${projectDir} cannot be read and written: ${(error as Error).message}`, 'Run as a user who owns the project directory, or fix its permissions.');
  }
}

/** The repository check, and the repository's paths when it passed (for `checkWorkTree`, so it does not ask git again). */
export async function inspectRepository(projectDir: string, options: { isGitRequired: boolean; offerInit?: (directory: string) => Promise<boolean> }): Promise<{ check: PreflightCheck; paths?: RepositoryPaths }> {
  const label = 'Git repository';
  const paths = await workTreePaths(projectDir);
  if (paths !== undefined) {
    const { root } = paths;
    return { check: pass('git.repository', label, root === projectDir ? `${projectDir} is a repository.` : `${projectDir} is inside the repository at ${root}.`), paths };
  }
  if (options.offerInit !== undefined && (await options.offerInit(projectDir))) {
    const root = await initRepository(projectDir);
    return { check: pass('git.repository', label, `Initialised a repository at ${root} (one empty commit).`) };
  }
  const message = `${projectDir} is not a git repository: no checkpoints, rollback or parallel isolation.`;
  const fix = `Run \`git init\` in ${projectDir} (and commit your files), then run again.`;
  return { check: options.isGitRequired ? fail('git.repository', label, message, fix) : warn('git.repository', label, message, fix) };
}

const inProgress: Record<string, string> = {
  MERGE_HEAD: 'a merge',
  CHERRY_PICK_HEAD: 'a cherry-pick',
  REVERT_HEAD: 'a revert',
  'rebase-merge': 'a rebase',
  'rebase-apply': 'a rebase',
};

export async function checkWorkTree(projectDir: string, options: { allowDirty: boolean; paths?: RepositoryPaths }): Promise<PreflightCheck[]> {
  const label = 'Work tree';
  const { root, gitDir } = options.paths ?? (await repositoryPaths(projectDir));
  // Every marker looked for at once; the first in this order (not the first found) is reported.
  const found = await Promise.all(
    Object.keys(inProgress).map((name) =>
      stat(join(gitDir, name)).then(
        () => true,
        () => false,
      ),
    ),
  );
  const operation = Object.values(inProgress)[found.indexOf(true)];
  if (operation !== undefined) {
    return [fail('git.worktree', label, `${operation[0]?.toUpperCase()}${operation.slice(1)} is in progress.`, `Finish ${operation} or abort it (e.g. \`git ${operation.split(' ')[1]} --abort\`) before a run.`)];
  }
  const checks: PreflightCheck[] = [];
  // One after the other: git side by side would start a second spawn helper (a Node start) just for this.
  const status = await tryGit(root, ['status', '--porcelain=v1', '--untracked-files=all']);
  // The private folder (run files, caches) is the orchestrator's, never the user's work: a run keeps it out of git status itself.
  const dirty = status.isOk ? status.output.split('\n').filter((line) => line.trim().length > 0 && !line.slice(3).startsWith(`${PRIVATE_DIRECTORY}/`)) : [];
  if (!status.isOk) checks.push(fail('git.worktree', label, `git status failed: ${status.message}`, 'Make sure the repository is not corrupt (`git fsck`).'));
  else if (dirty.length === 0) checks.push(pass('git.worktree', label, 'Clean.'));
  else {
    const names = dirty
      .slice(0, 5)
      .map((line) => line.slice(3))
      .join(', ');
    const message = `${dirty.length} uncommitted change${dirty.length === 1 ? '' : 's'} (${names}${dirty.length > 5 ? ', …' : ''}).`;
    checks.push(
      options.allowDirty
        ? warn('git.worktree', label, `${message} They will be set aside before the run and put back after it.`, "Commit or stash them to keep the run's commits separate from your work.")
        : fail('git.worktree', label, message, 'Commit or stash your changes, or allow a dirty tree (`--allow-dirty`, `execution.allow_dirty: true`): they are then set aside and put back after the run.'),
    );
  }
  const pending = await tryGit(root, ['for-each-ref', '--format=%(refname)', `${PRIVATE_REF_ROOT}/snapshots/`]);
  const pendingRefs = pending.isOk ? pending.output.split('\n').filter((line) => line.length > 0) : [];
  if (pendingRefs.length > 0) {
    checks.push(
      warn(
        'git.set-aside-work',
        'Set-aside work',
        `Uncommitted work set aside by an earlier run was not put back: ${pendingRefs.join(', ')}.`,
        `The next run puts it back when the tree is clean; or restore it yourself with \`git checkout ${pendingRefs[0]} -- .\`.`,
      ),
    );
  }
  return checks;
}
