import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../git/run-git';

/**
 * A worker's copy of each repository it works on: one bare repository per URL in the work
 * folder, fetched into on demand (only the refs a job names), and a worktree per attempt.
 */
export class RepositoryMirrors {
  readonly #workdir: string;
  /** One fetch at a time per repository (git's ref locks would make concurrent ones fail). */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(workdir: string) {
    this.#workdir = workdir;
  }

  /** The bare mirror of `url`, made on first use. */
  async mirrorOf(url: string): Promise<string> {
    const directory = join(this.#workdir, 'mirrors', `${createHash('sha256').update(url).digest('hex').slice(0, 16)}.git`);
    return this.#serially(directory, async () => {
      await mkdir(directory, { recursive: true });
      if (!existsSync(join(directory, 'HEAD'))) await runGit(['init', '--bare', '--quiet'], { cwd: directory });
      return directory;
    });
  }

  /** Fetches `ref` from `url` into the mirror and checks that it is `commit`. */
  async fetch(mirror: string, url: string, ref: string, commit: string, abortSignal?: AbortSignal): Promise<void> {
    await this.#serially(mirror, async () => {
      const hasCommit = (await runGit(['cat-file', '-e', `${commit}^{commit}`], { cwd: mirror, isTolerant: true })).exitCode === 0;
      if (!hasCommit) await runGit(['fetch', '--no-tags', '--quiet', url, `+${ref}:${ref}`], { cwd: mirror, ...(abortSignal ? { abortSignal } : {}) });
      const tip = (await runGit(['rev-parse', `${commit}^{commit}`], { cwd: mirror })).stdout.trim();
      if (tip !== commit) throw new Error(`The base ${ref} is not ${commit}`);
    });
  }

  /** A fresh worktree of the mirror at `commit` (an earlier one of the same name is removed). */
  async worktree(mirror: string, name: string, commit: string): Promise<string> {
    const directory = join(this.#workdir, 'tasks', name);
    await this.#serially(mirror, async () => {
      await rm(directory, { recursive: true, force: true });
      await runGit(['worktree', 'prune'], { cwd: mirror });
      await mkdir(join(this.#workdir, 'tasks'), { recursive: true });
      await runGit(['worktree', 'add', '--detach', '--quiet', directory, commit], { cwd: mirror });
    });
    return directory;
  }

  /** Removes an attempt's worktree. */
  async removeWorktree(mirror: string, directory: string): Promise<void> {
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
