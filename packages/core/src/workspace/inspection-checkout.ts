import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveRef, tryGit } from '../git/git-client';
import { setAsideOrphan } from '../git/worktree-pool';

/**
 * At the end of a failed run, a task whose slot went back to the pool when its work was
 * committed (before its merge conflicted or failed) has no worktree left to keep for
 * inspection: its branch, which still holds that commit, is checked out at `target` instead.
 * Returns `target`, or `undefined` when there is no branch or git cannot check it out.
 */
export async function checkOutForInspection(root: string, target: string, branch: string | undefined): Promise<string | undefined> {
  if (branch === undefined || (await resolveRef(root, `refs/heads/${branch}`)) === undefined) return undefined;
  await setAsideOrphan(target);
  await mkdir(dirname(target), { recursive: true });
  const added = await tryGit(root, ['worktree', 'add', '-q', target, branch]);
  return added.isOk ? target : undefined;
}
