import { OrchestratorError } from '@qoder-orch/spec';
import { runGit } from '../git/run-git';

/** A fetched result: the commit its branch is at, and that commit's parents. */
export interface FetchedResult {
  tip: string;
  parents: string[];
}

interface Request {
  cwd: string;
  branch: string;
  resolve: (fetched: FetchedResult) => void;
  reject: (error: unknown) => void;
}

/** Where a fetched result branch is kept locally until the executor closes. */
const localRefOf = (branch: string) => `refs/qoder-orch/fetched/${branch}`;

/** By default, results are fetched at most once a second (see {@link ResultFetcher}). */
export const DEFAULT_FETCH_INTERVAL_MS = 1000;

/**
 * Fetches workers' result branches from the remote into the coordinator's repository, several
 * at once: a fetch starts at most once per `intervalMs`, and the results that arrive while one
 * runs or while the interval is not over go together in the next (one fetch and one
 * for-each-ref for all of them, instead of two processes each and the remote's work for each;
 * a fetch is five processes on both sides). A result that arrives when none was fetched for
 * `intervalMs` is fetched at once. A batch that fails (one branch missing fails the whole
 * fetch) is fetched again one by one, so only the bad result fails. Every worktree of the
 * repository shares its refs, so one worktree's cwd serves the whole batch. One fetcher serves
 * one repository.
 */
export class ResultFetcher {
  readonly #remote: string;
  readonly #intervalMs: number;
  readonly #pending: Request[] = [];
  #running: Promise<void> | undefined;
  #startedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  /** Local refs made so far, with a cwd of the repository to delete them from. */
  readonly #made = new Map<string, string>();

  constructor(remote: string, { intervalMs = DEFAULT_FETCH_INTERVAL_MS }: { intervalMs?: number } = {}) {
    this.#remote = remote;
    this.#intervalMs = Math.max(0, intervalMs);
  }

  /** The commit the worker's branch is at (and its parents), fetched into the repository of `cwd`. */
  fetch(cwd: string, branch: string): Promise<FetchedResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ cwd, branch, resolve, reject });
      this.#pump();
    });
  }

  /** Deletes the local refs of fetched results (in one git call; from `gitDir` when given, as worktrees may be gone). */
  async clear(gitDir?: string): Promise<void> {
    const refs = [...this.#made.keys()];
    if (refs.length === 0) return;
    const cwd = gitDir ?? this.#made.get(refs[0]!)!;
    this.#made.clear();
    await runGit([...(gitDir ? ['--git-dir', gitDir] : []), 'update-ref', '--stdin'], { cwd, isTolerant: true, input: refs.map((ref) => `delete ${ref}\n`).join('') });
  }

  #pump(): void {
    if (this.#running || this.#timer || this.#pending.length === 0) return;
    const waitMs = this.#startedAt + this.#intervalMs - Date.now();
    if (waitMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, waitMs);
      return;
    }
    this.#startedAt = Date.now();
    const batch = this.#pending.splice(0);
    this.#running = this.#fetchAll(batch)
      .catch(() => undefined)
      .finally(() => {
        this.#running = undefined;
        this.#pump();
      });
  }

  async #fetchAll(batch: Request[]): Promise<void> {
    const cwd = batch[0]!.cwd;
    const refspecs = batch.map((request) => `+refs/heads/${request.branch}:${localRefOf(request.branch)}`);
    // No maintenance and no FETCH_HEAD after each fetch: two processes and a file write per result fewer.
    const fetched = await runGit(['fetch', '--no-tags', '--quiet', '--no-auto-maintenance', '--no-write-fetch-head', this.#remote, ...refspecs], { cwd, isTolerant: true });
    if (fetched.exitCode !== 0) {
      if (batch.length === 1) {
        // Gone from the remote once brought back: a coordinator stopped before it closed still has it where it was fetched to.
        const kept = (await readLocal(cwd, batch)).get(localRefOf(batch[0]!.branch));
        if (kept) {
          this.#made.set(localRefOf(batch[0]!.branch), cwd);
          batch[0]!.resolve(kept);
        } else batch[0]!.reject(invalid(`Could not fetch the worker's branch ${batch[0]!.branch}: ${fetched.stderr.trim().slice(-300)}`));
        return;
      }
      for (const request of batch) await this.#fetchAll([request]);
      return;
    }
    for (const request of batch) this.#made.set(localRefOf(request.branch), request.cwd);
    const found = await readLocal(cwd, batch);
    for (const request of batch) {
      const fetched = found.get(localRefOf(request.branch));
      if (fetched) request.resolve(fetched);
      else request.reject(invalid(`The worker's branch ${request.branch} was fetched but cannot be read.`));
    }
  }
}

/** The local refs of `batch`'s results that exist, each with its commit and that commit's parents (one for-each-ref). */
async function readLocal(cwd: string, batch: readonly Request[]): Promise<Map<string, FetchedResult>> {
  const listed = await runGit(['for-each-ref', '--format=%(refname) %(objectname) %(parent)', ...batch.map((request) => localRefOf(request.branch))], { cwd, isTolerant: true });
  const found = new Map<string, FetchedResult>();
  for (const line of listed.stdout.split('\n')) {
    const [ref, tip, ...parents] = line.trim().split(' ').filter(Boolean);
    if (ref !== undefined && tip !== undefined && /^[0-9a-f]{40}$/.test(tip)) found.set(ref, { tip, parents });
  }
  return found;
}

function invalid(message: string): OrchestratorError {
  return new OrchestratorError({ code: 'REMOTE_RESULT_INVALID', message, fix: 'Check the worker and the git remote; the attempt can be run again.' });
}
