import { runGit, splitNul } from './git-client';
import type { GitIdentity } from './git-identity';
import { commitTree, treeOf } from './working-state';

/** The result of a merge computed in the object database: a tree, or the files that conflict. */
export type TreeMergeResult = { isClean: true; tree: string } | { isClean: false; conflicts: string[] };

/**
 * Merges two commits with `git merge-tree --write-tree`: nothing touches a working tree or an
 * index, so a conflict leaves no markers anywhere. The merge base is found from history.
 */
export async function mergeCommits(root: string, ours: string, theirs: string): Promise<TreeMergeResult> {
  const output = await runGit(root, ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', ours, theirs]);
  const [tree, ...conflicts] = splitNul(output);
  if (tree === undefined) throw new Error(`git merge-tree printed nothing for ${ours} ${theirs}`);
  return conflicts.length === 0 ? { isClean: true, tree: tree.trim() } : { isClean: false, conflicts: [...new Set(conflicts)] };
}

/**
 * Three-way merge of trees with an explicit base (`theirs` applied onto `ours` as the change from
 * `base`). Works on git older than 2.40 (no `merge-tree --merge-base`) by giving the three trees
 * a throwaway history whose merge base is `base`. Used to revert a commit that is no longer the
 * tip and to bring a set-aside snapshot back onto a moved head.
 */
export async function mergeTrees(root: string, base: string, ours: string, theirs: string, identity: GitIdentity): Promise<TreeMergeResult> {
  const [baseTree, ourTree, theirTree] = await Promise.all([treeOf(root, base), treeOf(root, ours), treeOf(root, theirs)]);
  const message = 'qoder-orch: temporary merge input';
  const baseCommit = await commitTree(root, baseTree, { parents: [], message, identity });
  const [ourCommit, theirCommit] = await Promise.all([commitTree(root, ourTree, { parents: [baseCommit], message, identity }), commitTree(root, theirTree, { parents: [baseCommit], message, identity })]);
  return mergeCommits(root, ourCommit, theirCommit);
}
