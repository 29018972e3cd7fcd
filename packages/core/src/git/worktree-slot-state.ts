import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { headCommit, isAncestor } from './git-client';
import { isRefAbsent, locateCheckout, readSmallFile, statSmall } from './git-files';
import { refComponent } from './ref-names';

/** The key of a task among the slots a process handed out: `<run>/<task>` as ref components. */
export const heldKey = (runId: string, taskId: string) => `${refComponent(runId)}/${refComponent(taskId)}`;

/**
 * A pool slot as git's files describe it: detached, or on a branch; `undefined` when it is not
 * a plain unlocked worktree (gone, locked, or in a shape only git can read).
 */
export async function slotState(path: string): Promise<{ isDetached: true } | { isDetached: false; branch: string } | undefined> {
  const location = await locateCheckout(path);
  if (location === undefined || location.gitDir === location.commonDir) return undefined;
  const head = readSmallFile(join(location.gitDir, 'HEAD'));
  const isLocked = statSmall(join(location.gitDir, 'locked')) !== undefined;
  // Git's record of where this worktree is must name this folder (a moved or pruned one does not).
  const recorded = readSmallFile(join(location.gitDir, 'gitdir'));
  const pointsBack = recorded !== undefined && resolve(dirname(recorded.trim())) === resolve(path);
  if (head === undefined || isLocked || !pointsBack) return undefined;
  const trimmed = head.trim();
  if (/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(trimmed)) return { isDetached: true };
  const branch = /^ref: refs\/heads\/(\S+)$/.exec(trimmed)?.[1];
  return branch === undefined ? undefined : { isDetached: false, branch };
}

/**
 * Whether git's files show that a task left nothing behind: its branch does not exist (every
 * worktree of a task, pool slot or not, is on it) and none of `folders` (where a worktree of it
 * would be) does. `false` when unsure: the caller then asks git.
 */
export async function hasNoTrace(root: string, branch: string, folders: readonly string[]): Promise<boolean> {
  const location = await locateCheckout(root);
  if (location === undefined || !(await isRefAbsent(location, `refs/heads/${branch}`))) return false;
  const found = await Promise.all(
    folders.map((folder) =>
      stat(folder).then(
        () => true,
        (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
      ),
    ),
  );
  return !found.includes(true);
}

/** Whether `commit` is in the history of `root`'s HEAD (nothing of it would be lost if a branch holding it went). */
export async function isOnHead(root: string, commit: string): Promise<boolean> {
  const head = await headCommit(root);
  return head !== undefined && (await isAncestor(root, commit, head).catch(() => false));
}
