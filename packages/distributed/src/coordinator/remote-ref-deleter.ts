import { runGit } from '../git/run-git';

/**
 * Deletes refs from the git remote, several at once: while one `git push --delete` runs, the
 * refs asked for meanwhile wait and go together in the next (one push per batch, not per
 * ref). Failures are ignored (a ref already gone, a remote away for a moment): what is left is
 * deleted by the next batch that includes it, or stays for a prune. Pushes from the
 * repository's common git folder, as task worktrees may be gone by then.
 */
export class RemoteRefDeleter {
  readonly #remote: string;
  readonly #pending = new Set<string>();
  #gitDir: string | undefined;
  #running: Promise<void> | undefined;

  constructor(remote: string) {
    this.#remote = remote;
  }

  /** Deletes `refs` from the remote soon, in the repository whose common git folder is `gitDir`. */
  delete(gitDir: string, refs: readonly string[]): void {
    this.#gitDir = gitDir;
    for (const ref of refs) this.#pending.add(ref);
    this.#pump();
  }

  /** Resolves when every ref asked for so far has had its push. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #pump(): void {
    if (this.#running || this.#pending.size === 0 || !this.#gitDir) return;
    const refs = [...this.#pending];
    this.#pending.clear();
    const gitDir = this.#gitDir;
    this.#running = runGit(['--git-dir', gitDir, 'push', '--no-verify', '--quiet', this.#remote, '--delete', ...refs], { cwd: gitDir, isTolerant: true })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.#running = undefined;
        this.#pump();
      });
  }
}
