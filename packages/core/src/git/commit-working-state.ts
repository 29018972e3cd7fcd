import { join } from 'node:path';
import { runGitProcess, tryGit } from './git-client';
import { locateCheckout, readLooseCommitTree, readLooseRef, readSmallFile, rememberParentsOf, rememberTreeOf, statSmall } from './git-files';
import { type GitIdentity, identityEnvironment } from './git-identity';

/** An index this large (about 10 000 files) is committed with `write-tree` instead of `git commit` (see `commitWorkingState`). */
export const LARGE_INDEX_BYTES = 1024 * 1024;

/** What `commitWorkingState` did: a commit on the branch, or nothing to commit (the branch left at `head`). */
export type WorkingStateCommit = { isChanged: true; commit: string; head: string } | { isChanged: false; head: string };

/**
 * Commits the whole working state of the checkout at `top` (tracked changes, untracked files,
 * deletions; not ignored files) onto `branch`, which its HEAD must point to: `add -A` and one
 * `git commit` (the tree, the commit and the branch's move in one process), where writing the
 * tree, the commit and the ref took three. Takes the index lock: only for a worktree nothing else
 * works in (an agent that is done with it). Hooks never run (`core.hooksPath` points nowhere), no
 * automatic maintenance starts, the message is kept verbatim. Answers `undefined`, having changed
 * no ref, when it cannot (HEAD not on `branch`, the index locked, git failing) or should not (a
 * large index): the caller then takes the tree and commit another way.
 */
export async function commitWorkingState(top: string, options: { branch: string; message: string; identity: GitIdentity }): Promise<WorkingStateCommit | undefined> {
  const location = await locateCheckout(top);
  if (location === undefined) return undefined;
  // `git commit` refreshes the whole index (an lstat of every tracked file) and collects a status before it writes:
  // on a large checkout that costs more than the process it saves (27 674 files: ~100 ms against ~30 ms for
  // `write-tree`, the commit written in-process, and one `update-ref`). The caller takes that way then.
  if ((statSmall(location.indexFile)?.size ?? 0) > LARGE_INDEX_BYTES) return undefined;
  const branchRef = `refs/heads/${options.branch}`;
  const headRef = (readSmallFile(join(location.gitDir, 'HEAD')) ?? '').trim();
  const head = headRef === `ref: ${branchRef}` ? await readLooseRef(location, branchRef) : undefined;
  if (head === undefined) return undefined;
  const added = await tryGit(top, ['add', '-A', '--', '.']);
  if (!added.isOk) return undefined;
  const committed = await runGitProcess(top, ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', 'commit', '-q', '--no-verify', '--cleanup=verbatim', '--untracked-files=no', '-m', options.message], {
    env: identityEnvironment(options.identity),
  });
  // Nothing staged: git says so on stdout and exits 1, leaving the branch where it was.
  if (committed.exitCode === 1 && committed.stderr.trim() === '') return { isChanged: false, head };
  if (committed.exitCode !== 0) return undefined;
  const commit = await readLooseRef(location, branchRef);
  if (commit === undefined || commit === head) return undefined;
  rememberParentsOf(commit, [head]);
  const tree = await readLooseCommitTree(location, commit);
  if (tree !== undefined) rememberTreeOf(commit, tree);
  return { isChanged: true, commit, head };
}
