import { runGit } from '../git/run-git';

/**
 * Refs to delete from the git remote when the run is over, all in one `git push --delete`:
 * deleting while workers push would contend with their ref updates on the remote (a push
 * refused with "failed to update ref" under load), and each push costs the remote a
 * receive-pack. A failure is ignored (a ref already gone is not one: git deletes the others; a
 * remote away for a moment leaves them for a prune). Pushes from the repository's common git
 * folder, as task worktrees may be gone by then.
 */
export class RemoteRefDeleter {
  readonly #remote: string;
  readonly #pending = new Set<string>();
  #gitDir: string | undefined;

  constructor(remote: string) {
    this.#remote = remote;
  }

  /** Deletes `refs` from the remote at the next flush, in the repository whose common git folder is `gitDir`. */
  delete(gitDir: string, refs: readonly string[]): void {
    this.#gitDir = gitDir;
    for (const ref of refs) this.#pending.add(ref);
  }

  /** Deletes every ref asked for so far, in one push. */
  async flush(): Promise<void> {
    const refs = [...this.#pending];
    this.#pending.clear();
    if (refs.length === 0 || !this.#gitDir) return;
    await runGit(['--git-dir', this.#gitDir, 'push', '--no-verify', '--quiet', this.#remote, '--delete', ...refs], { cwd: this.#gitDir, isTolerant: true }).catch(() => undefined);
  }
}
