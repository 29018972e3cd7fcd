import { runGit } from '../git/run-git';

/** Refs asked for before a push deletes them: a push costs the remote a receive-pack, so they go in batches. */
const BATCH = 32;

/**
 * Deletes refs from the git remote in batches: once {@link BATCH} are asked for (and no push
 * runs), one `git push --delete` takes them all; `flush` takes what is left. Keeps the remote's
 * ref count, which every push and fetch there reads, from growing with the run. Failures are ignored (a ref already gone, a remote away for a moment): what is left is
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

  /** Deletes every ref asked for so far; resolves when their pushes are done. */
  async flush(): Promise<void> {
    this.#pump(true);
    while (this.#running) await this.#running;
  }

  #pump(isFlushing = false): void {
    if (this.#running || this.#pending.size < (isFlushing ? 1 : BATCH) || !this.#gitDir) return;
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
        this.#pump(isFlushing);
      });
  }
}
