import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../git/run-git';

/** A worktree of a mirror, lent to one attempt at a time. */
export interface MirrorWorktree {
  mirror: string;
  directory: string;
}

/**
 * A worker's copy of each repository it works on: one bare repository per URL in the work
 * folder, fetched into on demand (only the refs a job names), and worktrees that are reused
 * from one attempt to the next (reset to the next attempt's base, untracked and ignored files
 * removed) instead of made and removed per attempt: at most as many per mirror as attempts ran
 * at once.
 */
export class RepositoryMirrors {
  readonly #workdir: string;
  /** One fetch or worktree change at a time per repository (git's ref and worktree locks would make concurrent ones fail). */
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Commits known to be in each mirror (commits never go away from it): no git call to ask again. */
  readonly #known = new Map<string, Set<string>>();
  /** Worktrees free for the next attempt, by mirror, each with its clean-up (untracked and ignored files removed: false when that failed). */
  readonly #idle = new Map<string, Array<{ directory: string; cleaned: Promise<boolean> }>>();
  #made = 0;

  constructor(workdir: string) {
    this.#workdir = workdir;
  }

  /** The bare mirror of `url`, made on first use. */
  async mirrorOf(url: string): Promise<string> {
    const directory = join(this.#workdir, 'mirrors', `${createHash('sha256').update(url).digest('hex').slice(0, 16)}.git`);
    if (this.#known.has(directory)) return directory;
    return this.#serially(directory, async () => {
      await mkdir(directory, { recursive: true });
      if (!existsSync(join(directory, 'HEAD'))) await runGit(['init', '--bare', '--quiet'], { cwd: directory });
      if (!this.#known.has(directory)) this.#known.set(directory, new Set());
      return directory;
    });
  }

  /** Fetches `ref` from `url` into the mirror and checks that it is `commit` (nothing to do when the mirror has it). */
  async fetch(mirror: string, url: string, ref: string, commit: string, abortSignal?: AbortSignal): Promise<void> {
    const known = this.#known.get(mirror) ?? new Set<string>();
    this.#known.set(mirror, known);
    if (known.has(commit)) return;
    await this.#serially(mirror, async () => {
      if (known.has(commit)) return;
      const hasCommit = (await runGit(['cat-file', '-e', `${commit}^{commit}`], { cwd: mirror, isTolerant: true })).exitCode === 0;
      if (!hasCommit) await runGit(['fetch', '--no-tags', '--quiet', '--no-write-fetch-head', url, `+${ref}:${ref}`], { cwd: mirror, ...(abortSignal ? { abortSignal } : {}) });
      const tip = (await runGit(['rev-parse', `${commit}^{commit}`], { cwd: mirror })).stdout.trim();
      if (tip !== commit) throw new Error(`The base ${ref} is not ${commit}`);
      known.add(commit);
    });
  }

  /**
   * A worktree of the mirror at `commit`, detached, with nothing else in it: an idle one (its
   * untracked and ignored files were removed when it was given back) moved there by a forced
   * checkout, or a new one.
   */
  async worktree(mirror: string, commit: string): Promise<MirrorWorktree> {
    const idle = this.#idle.get(mirror)?.pop();
    if (idle !== undefined) {
      const isReset = (await idle.cleaned) && (await runGit(['checkout', '--quiet', '--force', '--detach', commit], { cwd: idle.directory, isTolerant: true })).exitCode === 0;
      if (isReset) return { mirror, directory: idle.directory };
      // Something an agent did keeps it from being reused (a broken .git file, say): it is replaced.
      await this.#remove(mirror, idle.directory);
    }
    const directory = join(this.#workdir, 'tasks', `w${process.pid}-${(this.#made += 1)}`);
    await this.#serially(mirror, async () => {
      await rm(directory, { recursive: true, force: true });
      await mkdir(join(this.#workdir, 'tasks'), { recursive: true });
      await runGit(['worktree', 'prune'], { cwd: mirror });
      await runGit(['worktree', 'add', '--detach', '--quiet', directory, commit], { cwd: mirror });
    });
    return { mirror, directory };
  }

  /**
   * Gives an attempt's worktree back for the next attempt. Its untracked and ignored files are
   * removed now, while the worker reports the result and takes the next job; what is tracked
   * is reset by the next attempt's checkout.
   */
  release(worktree: MirrorWorktree): void {
    const cleaned = runGit(['clean', '-ffdxq'], { cwd: worktree.directory, isTolerant: true }).then(
      (result) => result.exitCode === 0,
      () => false,
    );
    const idle = this.#idle.get(worktree.mirror) ?? [];
    idle.push({ directory: worktree.directory, cleaned });
    this.#idle.set(worktree.mirror, idle);
  }

  /** Removes the idle worktrees (the worker is closing). */
  async clear(): Promise<void> {
    const entries = [...this.#idle.entries()];
    this.#idle.clear();
    for (const [mirror, idle] of entries)
      for (const { directory, cleaned } of idle) {
        await cleaned;
        await this.#remove(mirror, directory);
      }
  }

  async #remove(mirror: string, directory: string): Promise<void> {
    await this.#serially(mirror, async () => {
      await runGit(['worktree', 'remove', '--force', directory], { cwd: mirror, isTolerant: true });
      await rm(directory, { recursive: true, force: true });
    });
  }

  #serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.#locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }
}
