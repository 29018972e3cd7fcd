/**
 * The worktrees `git worktree list` names besides the idle slots of the worktree pool: the slots
 * (`.pool/<k>`, detached) are kept across runs by design, anything else a run leaves is a leftover.
 */
export function worktreesBesideIdlePool(listOutput: string): string[] {
  return listOutput
    .trim()
    .split('\n')
    .filter((line) => !(/\/\.pool\/\d+ /.test(line) && line.includes('(detached HEAD)')));
}
