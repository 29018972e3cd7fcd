import { OrchestratorError } from '@qoder-orch/spec';
import { runGit, tryGit } from './git-client';

/**
 * Moves the checked-out branch (or detached HEAD) of `root` from commit `from` to commit `to`,
 * updating index and working tree like `git checkout` does: only paths that differ between the
 * two commits are written, and git refuses (changing nothing) if that would overwrite local
 * changes or untracked files (files only touched, their bytes unchanged, are not local changes). Then the ref moves, checked against `from`, with `alsoSet` and
 * `alsoDelete` in the same transaction; if someone else moved it meanwhile, the files are put
 * back and the move fails.
 */
export async function moveHead(root: string, from: string, to: string, reason: string, options: { alsoSet?: ReadonlyArray<{ ref: string; commit: string }>; alsoDelete?: readonly string[] } = {}): Promise<void> {
  // Git refuses a file whose index entry's stat data is stale (touched, same bytes) as "not up to date", changing nothing:
  // the index is refreshed and the move tried once more only then. Most moves follow one that left the index fresh.
  let updated = await tryGit(root, ['read-tree', '-m', '-u', from, to]);
  if (!updated.isOk) {
    await tryGit(root, ['update-index', '-q', '--refresh']);
    updated = await tryGit(root, ['read-tree', '-m', '-u', from, to]);
  }
  if (!updated.isOk) {
    throw new OrchestratorError({
      code: 'GIT_ERROR',
      message: `Could not update the working tree of ${root} to ${to.slice(0, 12)} (${reason}): ${updated.message}`,
      fix: 'Files in the project directory were changed outside the run; commit or move them, then resume.',
    });
  }
  // One transaction: HEAD (checked against `from`) and the refs that record the move, all or none.
  const updates = [`update HEAD ${to} ${from}`, ...(options.alsoSet ?? []).map((entry) => `update ${entry.ref} ${entry.commit}`), ...(options.alsoDelete ?? []).map((ref) => `delete ${ref}`)];
  const moved = await tryGit(root, ['update-ref', '-m', `qoder-orch: ${reason}`, '--stdin'], { input: `${updates.join('\n')}\n` });
  if (!moved.isOk) {
    await runGit(root, ['read-tree', '-m', '-u', to, from]);
    throw new OrchestratorError({
      code: 'GIT_ERROR',
      message: `HEAD of ${root} moved during the run (${reason}): ${moved.message}`,
      fix: 'Do not commit or switch branches in the project while a run is in progress.',
    });
  }
}
