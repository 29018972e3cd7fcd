import { runGit, tryGit } from './git-client';

/**
 * Task branches whose pool slot was detached from them and whose work is settled (on the
 * integration head, or kept under a leftover ref): deleted later, a few at a time, in the same
 * `update-ref --stdin` transaction as the next slot's release (git refuses to delete the branch a
 * worktree's HEAD points to in the transaction that detaches that HEAD), or in one at the end of
 * the run. A crash leaves them as task branches of a run with traces, which `cleanLeftovers`
 * deletes (keeping any work not on HEAD).
 */
export class SettledBranches {
  /** `refs/heads/<branch>` → the commit it held when settled (a deletion checks it). */
  readonly #pending = new Map<string, string>();

  add(branch: string, tip: string): void {
    this.#pending.set(`refs/heads/${branch}`, tip);
  }

  has(branch: string): boolean {
    return this.#pending.has(`refs/heads/${branch}`);
  }

  /** The pending deletions, now the caller's to make. */
  take(): Array<{ ref: string; tip: string }> {
    const taken = [...this.#pending].map(([ref, tip]) => ({ ref, tip }));
    this.#pending.clear();
    return taken;
  }
}

/**
 * Detaches a slot's HEAD at `head` and deletes `deletions` (branches no worktree has checked
 * out) in one transaction. When the transaction fails (a branch moved since it was settled: not
 * ours to delete any more), the slot is detached alone and each branch deleted on its own, those
 * that moved left alone.
 */
export async function detachSlot(slot: string, head: string, deletions: ReadonlyArray<{ ref: string; tip: string }>): Promise<void> {
  const lines = ['option no-deref', `update HEAD ${head}`, ...deletions.map((deletion) => `delete ${deletion.ref} ${deletion.tip}`)];
  const released = await tryGit(slot, ['update-ref', '-m', 'qoder-orch: slot idle', '--stdin'], { input: `${lines.join('\n')}\n` });
  if (released.isOk) return;
  await runGit(slot, ['update-ref', '--no-deref', '-m', 'qoder-orch: slot idle', 'HEAD', head]);
  await deleteBranches(slot, deletions);
}

/** Deletes settled branches in one transaction, or one by one (those that moved left alone) when it fails. */
export async function deleteBranches(cwd: string, deletions: ReadonlyArray<{ ref: string; tip: string }>): Promise<void> {
  if (deletions.length === 0) return;
  const all = await tryGit(cwd, ['update-ref', '--stdin'], { input: deletions.map((deletion) => `delete ${deletion.ref} ${deletion.tip}\n`).join('') });
  if (all.isOk || deletions.length === 1) return;
  for (const deletion of deletions) await tryGit(cwd, ['update-ref', '-d', deletion.ref, deletion.tip]);
}
