import { coalescedWriter } from '@qoder-orch/spec';
import type { RepositoryGuard } from '../git/repository-guard';
import type { RollbackManager } from '../git/rollback-manager';
import type { RepositoryTampering } from '../git/task-workspace';
import { workingState } from '../git/temporary-index';
import { changedPathsBetween, treeOf } from '../git/working-state';
import { describePaths } from './repository-state';

/**
 * The project checkout as last seen: its whole working tree and a commit of that state (for
 * putting files back), or, when it was exactly HEAD, the HEAD (`cleanAt`): that state's commit
 * is then written only if a change is ever found, and a move of HEAD by the run gives the next
 * baseline without looking again.
 */
interface Baseline {
  tree: string;
  commit?: string;
  cleanAt?: string;
}

/** What the watch needs of the run it watches. */
export interface WatchedRun {
  readonly root: string;
  readonly rollback: RollbackManager;
  /** End-of-run warnings: findings go here when nobody listens for them. */
  readonly warnings: string[];
  requireRun(): string;
  /** Tasks whose agents are running now, in the order they started. */
  runningTaskIds(): string[];
}

/**
 * Looks at the repository after a task's agent stopped (or at the end): undoes changes to the
 * git directory's configuration and hooks and, once `watchCheckout` was called (isolation
 * `worktree`), takes files written in the project checkout out of it. Each finding goes to
 * `onTampering` and otherwise into the end warnings, attributed to the tasks that ran since the
 * previous look. Called inside the workspace's git queue.
 */
export class TamperingWatch {
  readonly #run: WatchedRun;
  /** The repository's configuration and hooks as the run found them. */
  #guard: RepositoryGuard | undefined;
  #onTampering: ((tampering: RepositoryTampering) => void) | undefined;
  /** The run's own record files, repository-relative. */
  #ownPaths = new Set<string>();
  /** The project checkout as last seen, so that files tasks write there are found (isolation `worktree` only). */
  #baseline: Baseline | undefined;
  /** `watchCheckout` was called (isolation `worktree`); the baseline is taken at the first task's start. */
  #isWatching = false;
  /** Tasks whose agents ran since the repository was last inspected: who a change found now is attributed to. */
  #activeSince = new Set<string>();
  /** A look for stopped tasks, queued and not started yet (`inspectAfter`). */
  #waitingLook: { endingTaskIds: string[]; done: Promise<void> } | undefined;
  /** One guard check at a time; callers that ask while one waits to start share it (it starts after each of them asked). */
  readonly #guardChecks = coalescedWriter(() => this.#checkGitFiles());
  /** The waiting guard check is to be a full one (a caller asked for `isThorough`). */
  #isThoroughNext = false;

  constructor(run: WatchedRun) {
    this.#run = run;
  }

  listen(options: { onTampering: ((tampering: RepositoryTampering) => void) | undefined; ownPaths: Iterable<string> }): void {
    this.#onTampering = options.onTampering;
    this.#ownPaths = new Set(options.ownPaths);
  }

  guard(guard: RepositoryGuard): void {
    this.#guard = guard;
  }

  async release(): Promise<void> {
    await this.#guard?.release();
  }

  /**
   * From now on, files written in the project checkout are found. Its baseline is taken when the
   * first task starts (`rebaselineIfIdle`: with no agent running, what is in the checkout is the
   * run's), not now: one look at the checkout less per run.
   */
  async watchCheckout(): Promise<void> {
    this.#isWatching = true;
    this.#baseline = undefined;
  }

  /**
   * The run itself moved the checkout (a merge, a revert): that is the new baseline. A checkout
   * that was exactly HEAD at `from` and moved to `to` is exactly `to` now (git rewrote only the
   * files that differ): nothing to look at. Without `move` (a move that failed), it is looked at.
   */
  async checkoutMoved(move?: { from: string; to: string }): Promise<void> {
    if (this.#baseline === undefined) return;
    if (move !== undefined && this.#baseline.cleanAt === move.from) this.#baseline = { tree: await treeOf(this.#run.root, move.to), cleanAt: move.to };
    else this.#baseline = await this.#look();
  }

  taskStarted(taskId: string): void {
    this.#activeSince.add(taskId);
  }

  /**
   * Whether the checkout is watched and has not been looked at since `taskId`'s agent stopped
   * running: what it may have written there is not found yet (a look finds it, attributed to it).
   */
  isUnseenSinceRunning(taskId: string): boolean {
    return this.#isWatching && this.#activeSince.has(taskId);
  }

  /** A look at the repository; `isThorough` (the run's end): the guard's full check, every watched byte compared. */
  async inspect(endingTaskId: string | undefined, options: { isThorough?: boolean } = {}): Promise<void> {
    await this.checkGitFiles(options);
    await this.checkCheckout(endingTaskId === undefined ? [] : [endingTaskId]);
  }

  /**
   * `inspect` for a task whose agent stopped, run through `schedule` (the git queue). Tasks that
   * stop while such a look waits in the queue share it: one look, started after each of them
   * stopped, serves them all (a findings' attribution is the same: the tasks that ran since the
   * previous look).
   */
  inspectAfter(taskId: string, schedule: (look: () => Promise<void>) => Promise<void>): Promise<void> {
    const waiting = this.#waitingLook;
    if (waiting !== undefined) {
      waiting.endingTaskIds.push(taskId);
      return waiting.done;
    }
    const look: { endingTaskIds: string[]; done: Promise<void> } = { endingTaskIds: [taskId], done: Promise.resolve() };
    this.#waitingLook = look;
    look.done = schedule(async () => {
      // From here on, a task that stops needs a look of its own.
      if (this.#waitingLook === look) this.#waitingLook = undefined;
      await this.checkGitFiles();
      await this.checkCheckout(look.endingTaskIds);
    });
    return look.done;
  }

  /**
   * Undoes changes to the git directory's configuration and hooks; one check at a time (callers
   * inside the git queue and outside it). A quick check (see `RepositoryGuard.check`) unless one
   * of the callers it serves asked for `isThorough` (the run's end).
   */
  checkGitFiles(options: { isThorough?: boolean } = {}): Promise<void> {
    if (options.isThorough === true) this.#isThoroughNext = true;
    return this.#guardChecks.request();
  }

  async #checkGitFiles(): Promise<void> {
    const isQuick = !this.#isThoroughNext;
    this.#isThoroughNext = false;
    if (this.#guard === undefined) return;
    for (const finding of await this.#guard.check({ isQuick })) {
      this.#report({ kind: finding.kind, taskIds: [...this.#activeSince].sort(), changes: finding.changes });
    }
  }

  /**
   * Files changed in the project checkout since it was last seen, set aside under a leftover ref
   * and put back. Returns whether it looked (the baseline is then the checkout as it is now).
   */
  async checkCheckout(endingTaskIds: readonly string[]): Promise<boolean> {
    const baseline = this.#baseline;
    const isLooking = baseline !== undefined && this.#activeSince.size > 0;
    if (isLooking) {
      const rollback = this.#run.rollback;
      const state = await workingState(this.#run.root);
      const current = state.tree;
      const changed = current === baseline.tree ? [] : (await changedPathsBetween(this.#run.root, baseline.tree, current)).filter((path) => !this.#ownPaths.has(path));
      if (changed.length > 0) {
        const restored = await rollback.restoreState(await this.#commitOf(baseline), { paths: changed, leftoverLabel: { runId: this.#run.requireRun(), taskId: 'outside-worktree' } });
        this.#report({ kind: 'outside-worktree', taskIds: [...this.#activeSince].sort(), changes: changed, ...(restored.leftoverRef === undefined ? {} : { keptRef: restored.leftoverRef }) });
      }
      // Only the run's own files changed: the checkout is as just read. Files put back: it is looked at again.
      if (current !== baseline.tree) this.#baseline = changed.length === 0 ? await this.#lookAt(state) : await this.#look();
    }
    this.#activeSince = new Set(this.#run.runningTaskIds().filter((taskId) => !endingTaskIds.includes(taskId)));
    return isLooking;
  }

  /** With no agent running, whatever is in the checkout now is the run's (its checks, its records): the new baseline. */
  async rebaselineIfIdle(): Promise<void> {
    if (!this.#isWatching) return;
    if (this.#run.runningTaskIds().length > 0) return;
    const baseline = this.#baseline;
    if (baseline === undefined) {
      this.#baseline = await this.#look();
      return;
    }
    // A look at the checkout leaves the baseline as the checkout is: no second look needed.
    if (await this.checkCheckout([])) return;
    const state = await workingState(this.#run.root);
    if (state.tree !== baseline.tree) this.#baseline = await this.#lookAt(state);
  }

  /** The checkout as it is now: when it is exactly HEAD, one `git status` (its state commit is written when needed). */
  async #look(): Promise<Baseline> {
    return this.#lookAt(await workingState(this.#run.root));
  }

  /** The baseline for the checkout in `state` (what `workingState` just read of it). */
  async #lookAt(state: Awaited<ReturnType<typeof workingState>>): Promise<Baseline> {
    if (state.head !== undefined && state.changedPaths.length === 0) return { tree: state.tree, cleanAt: state.head };
    return this.#run.rollback.stateOf();
  }

  async #commitOf(baseline: Baseline): Promise<string> {
    // A baseline without a commit is a clean one (`#look`).
    baseline.commit ??= await this.#run.rollback.cleanStateOf(baseline.cleanAt as string, baseline.tree);
    return baseline.commit;
  }

  #report(tampering: Omit<RepositoryTampering, 'message'>): void {
    const by = tampering.taskIds.length === 0 ? 'while no task was running' : `while task${tampering.taskIds.length > 1 ? 's' : ''} ${tampering.taskIds.join(', ')} ran`;
    const message =
      tampering.kind === 'outside-worktree'
        ? `Files were written in the project checkout, outside the task worktrees, ${by}: ${describePaths(tampering.changes)}. They were taken out of the checkout${tampering.keptRef === undefined ? '' : ` and kept at ${tampering.keptRef} (\`git checkout ${tampering.keptRef} -- <path>\` brings one back)`}.`
        : tampering.kind === 'git-hooks'
          ? `Git hooks were planted in the repository ${by}: ${describePaths(tampering.changes)}. They were removed; the hooks are as before the run.`
          : `The repository's git configuration was changed ${by}: ${describePaths(tampering.changes)}. It was restored to what it was before the run.`;
    if (this.#onTampering === undefined) this.#run.warnings.push(message);
    else this.#onTampering({ ...tampering, message });
  }
}
