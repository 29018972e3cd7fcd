import { mkdir, readdir, realpath, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { endProcessesWorkingIn } from '../workspace/end-stray-processes';
import { dependencyExcludePatterns } from './dependency-links';
import { headCommit, isAncestor, resolveRef, runGit, splitNul, tryGit } from './git-client';
import { DEFAULT_GIT_IDENTITY, type GitIdentity } from './git-identity';
import { ensurePrivateDirectoryExcluded, repositoryPaths } from './repository';
import { leftoverRef, PRIVATE_DIRECTORY, PRIVATE_REF_ROOT, refComponent, taskBranch } from './ref-names';
import { hasNoTrace, heldKey, isOnHead, slotState } from './worktree-slot-state';
import { SerialQueue } from '@qoder-orch/spec';
import { type WorkingState, workingState } from './temporary-index';
import { assertOutsideRepository, defaultWorktreeRoot, projectWorktreeFolder } from './worktree-location';
import { commitTree } from './working-state';
import { setAsideOrphan, WorktreePool } from './worktree-pool';
import { type ListedWorktree, parseWorktreeList } from './worktree-listing';

export type { ListedWorktree } from './worktree-listing';
import { deleteBranches, detachSlot, SettledBranches } from './slot-release';

export interface WorktreeManagerOptions {
  /** The repository root (the main working tree). */
  projectDir: string;
  /** Author and committer of commits that keep leftover work. @default DEFAULT_GIT_IDENTITY */
  identity?: GitIdentity;
  /**
   * The folder under which task worktrees live, outside the repository (one sub-folder per
   * repository, `<name>-<hash>/<run>/<task>`). A folder inside the repository is refused.
   * @default defaultWorktreeRoot(): `${XDG_CACHE_HOME:-~/.cache}/qoder-orch/worktrees`
   */
  worktreeRoot?: string;
  /** Called with a worktree's path before its folder is removed (a provisioner's teardown), not when a slot goes back to the pool; never stops the removal. */
  beforeRemove?: (path: string) => Promise<void>;
  /**
   * Paths (relative to the repository root) put into a slot's worktree after git made it, or how
   * to find them for a slot (a `WorktreeProvisioner`'s `preservedPaths`: its dependency links or
   * copies, include files and setup outputs): the reset between two tasks in a reused worktree
   * leaves them in place. The manager itself puts nothing there.
   */
  preservedPaths?: readonly string[] | ((worktree: string) => Promise<readonly string[]>);
}

/** A task's worktree. */
export interface TaskWorktree {
  runId: string;
  taskId: string;
  /** Absolute path of the worktree directory. */
  path: string;
  /** Its branch, `qoder-orch/<run>/<task>`. */
  branch: string;
  /** The commit it started from. */
  base: string;
}

/**
 * Gives each task its own `git worktree` on its own branch (`qoder-orch/<run>/<task>`), in a
 * folder outside the project tree (`<worktreeRoot>/<repository>-<hash>/`), so parallel agents
 * never see each other's half-written files and no test runner or command in the project ever
 * finds them.
 *
 * Worktrees are slots of a pool (`.pool/<k>`) that persists across runs: a task takes an idle
 * slot (or a new one is added) and resets it to its base on its branch (`checkout -f -B`: only
 * the files that differ are rewritten; untracked and ignored files are cleaned, the dependency
 * links and `preservedPaths` — what provisioning put there, once per slot — kept); releasing it detaches it again. A slot holding a failed
 * task's work at the end of a failed run is retired: moved to `<run>/<task>` for inspection.
 * Work found in a worktree being reset, released or removed is kept first (uncommitted changes
 * and branch commits, under `refs/qoder-orch/leftovers/…`), so cleaning up never destroys anything.
 */
export class WorktreeManager {
  readonly #root: string;
  readonly #identity: GitIdentity;
  readonly #directory: string;
  /** Where earlier versions put worktrees (inside the project): still ours to list and clean. */
  readonly #legacyDirectory: string;
  readonly #beforeRemove: ((path: string) => Promise<void>) | undefined;
  readonly #preservedPaths: readonly string[] | ((worktree: string) => Promise<readonly string[]>);
  readonly #pool: WorktreePool;
  #isExcluded = false;
  /** Slots this process gave to tasks (`<run>/<task>` as ref components → slot path): found again without listing every worktree. */
  readonly #held = new Map<string, string>();
  readonly #worktreeAdds = new SerialQueue();
  /** Task branches of released slots, deleted with the next release (see `SettledBranches`). */
  readonly #settled = new SettledBranches();
  /** The shared git directory, looked up once. */
  #commonDir: Promise<string> | undefined;

  constructor(options: WorktreeManagerOptions) {
    this.#root = resolve(options.projectDir);
    this.#identity = options.identity ?? DEFAULT_GIT_IDENTITY;
    this.#directory = projectWorktreeFolder(options.worktreeRoot ?? defaultWorktreeRoot(), this.#root);
    assertOutsideRepository(this.#directory, this.#root);
    this.#legacyDirectory = resolve(this.#root, PRIVATE_DIRECTORY, 'worktrees');
    this.#beforeRemove = options.beforeRemove;
    this.#preservedPaths = options.preservedPaths ?? [];
    this.#pool = new WorktreePool(this.#directory);
  }

  /** The folder of the pool's slots. */
  get poolDirectory(): string {
    return this.#pool.directory;
  }

  /** The folder that holds this repository's task worktrees, one sub-folder per run. */
  get directory(): string {
    return this.#directory;
  }

  /** The folder of one run's worktrees. */
  runDirectory(runId: string): string {
    return join(this.#directory, refComponent(runId));
  }

  /**
   * Gives a task a worktree at `base` on its branch: an idle slot of the pool reset to `base`, or
   * a new slot. A worktree or branch left by an earlier attempt of the same task is set aside
   * first, and so is work found in the idle slot (both kept under leftover refs).
   */
  async add(runId: string, taskId: string, base: string): Promise<TaskWorktree> {
    const branch = taskBranch(runId, taskId);
    await this.prepareRepository();
    if (this.#settled.has(branch)) await this.settleBranches();
    if (!(await this.#hasNoTrace(runId, taskId))) await this.remove(runId, taskId, { label: 'previous-attempt' });
    const slot = await this.#pool.take(
      () => this.list(),
      (path) => slotState(path).then((state) => state?.isDetached === true),
    );
    try {
      await slot.queue.run(async () => {
        if (!slot.isNew && (await this.#resetSlot(slot.path, runId, branch, base))) return;
        await this.#createSlot(slot.path, branch, base);
      });
      this.#held.set(heldKey(runId, taskId), slot.path);
      return { runId, taskId, path: slot.path, branch, base };
    } catch (error) {
      this.#pool.free(slot.path);
      throw error;
    }
  }

  /** Whether no earlier attempt of the task left a branch or a folder (see `hasNoTrace`); `false` when unsure. */
  #hasNoTrace(runId: string, taskId: string): Promise<boolean> {
    return hasNoTrace(this.#root, taskBranch(runId, taskId), [this.pathOf(runId, taskId), join(this.#legacyDirectory, refComponent(runId), refComponent(taskId))]);
  }

  /** A new slot: a worktree of `base` on `branch` (what else it needs, a provisioner puts there). */
  async #createSlot(path: string, branch: string, base: string): Promise<void> {
    await setAsideOrphan(path);
    await mkdir(dirname(path), { recursive: true });
    // One `worktree add` at a time: git reads every `.git/worktrees/*` entry while adding, and a half-made one fails it.
    await this.#worktreeAdds.run(() => runGit(this.#root, ['worktree', 'add', '-q', '--no-track', '-b', branch, path, base]));
  }

  /**
   * Resets an idle slot for a task: keeps work found in it, checks `base` out on `branch`
   * (rewriting only the files that differ) and removes untracked and ignored files (an earlier
   * task's build output is no evidence of this one's), except the preserved paths. A slot that cannot be reset (a stale lock a killed process left) is removed
   * once its work is kept. Returns whether the slot is ready.
   */
  async #resetSlot(path: string, runId: string, branch: string, base: string): Promise<boolean> {
    // One status tells what there is to keep and whether anything but the preserved paths is untracked or ignored.
    const state = await workingState(path, { isListingIgnored: true }).catch(() => undefined);
    await this.#keepWork(path, runId, `pool-${basename(path)}`, 'found-in-slot', { isUncommittedOnly: true, ...(state === undefined ? {} : { state }) });
    const checkedOut = await tryGit(path, ['checkout', '-q', '-f', '--no-track', '-B', branch, base]);
    const preserved = typeof this.#preservedPaths === 'function' ? await this.#preservedPaths(path) : this.#preservedPaths;
    const keep = dependencyExcludePatterns(preserved).flatMap((pattern) => ['-e', pattern]);
    // Nothing to clean when the slot was exactly its HEAD, nothing untracked, nothing ignored outside the preserved paths: the checkout leaves no file git does not track.
    const isClean = state !== undefined && state.changedPaths.length === 0 && (state.ignoredPaths ?? []).every((ignored) => preserved.some((kept) => ignored === kept || ignored.startsWith(`${kept}/`)));
    const cleaned = checkedOut.isOk && !isClean ? await tryGit(path, ['clean', '-ffdxq', ...keep]) : checkedOut;
    if (cleaned.isOk) return true;
    await this.#beforeRemove?.(path).catch(() => undefined);
    await runGit(this.#root, ['worktree', 'remove', '--force', '--force', path]);
    if ((await resolveRef(this.#root, `refs/heads/${branch}`)) !== undefined) await runGit(this.#root, ['branch', '-D', '-q', branch]);
    return false;
  }

  /**
   * Writes, once, the repository's `info/exclude` line every task worktree needs: the private
   * folder (a provisioner's `prepareRepository` adds those of the dependency folders it links).
   * Called before a run's repository guard takes its record, so the guard never mistakes the
   * run's own lines for an agent's tampering.
   */
  async prepareRepository(): Promise<{ commonDir: string }> {
    this.#commonDir ??= repositoryPaths(this.#root).then((paths) => paths.commonDir);
    const commonDir = await this.#commonDir;
    if (!this.#isExcluded) {
      await ensurePrivateDirectoryExcluded(commonDir);
      this.#isExcluded = true;
    }
    return { commonDir };
  }

  /** The absolute directory of a task's worktree. */
  pathOf(runId: string, taskId: string): string {
    return join(this.#directory, refComponent(runId), refComponent(taskId));
  }

  /**
   * Removes a task's worktree and branch. Uncommitted work in it and commits on its branch that
   * are not on HEAD are kept under `refs/qoder-orch/leftovers/<run>/<task>/<label>` first.
   *
   * With `committed` (the commit a task's whole working state was just written to), a pool slot
   * is detached at it without looking at its files again. With `isMergePending` too, that commit
   * is one the merge queue has yet to merge: the task's branch is moved to it and stays (the merge
   * deletes it in the head's transaction, or keeps it on a conflict). With `committed` alone, the
   * branch is deleted with the next slot's release or by `settleBranches` (one process per release
   * instead of three).
   *
   * @returns the leftover ref, when there was work to keep.
   */
  async remove(runId: string, taskId: string, options: { label?: string; committed?: string; isMergePending?: boolean } = {}): Promise<{ leftoverRef?: string }> {
    const listed = (await this.#heldListing(runId, taskId)) ?? (await this.list()).find((worktree) => worktree.runId === refComponent(runId) && worktree.taskId === refComponent(taskId));
    return this.#remove(listed, runId, taskId, options.label ?? 'removed', options.committed, options.isMergePending === true);
  }

  /** Deletes the task branches of released slots still waiting for the next release (`SettledBranches`): at the end of a run. */
  async settleBranches(): Promise<void> {
    await deleteBranches(this.#root, this.#settled.take());
  }

  /** The slot this process gave the task, as `list` shows it, when git's files confirm it still holds the task's branch, unlocked. */
  async #heldListing(runId: string, taskId: string): Promise<ListedWorktree | undefined> {
    const path = this.#held.get(heldKey(runId, taskId));
    const state = path === undefined ? undefined : await slotState(path);
    if (path === undefined || state === undefined || state.isDetached || state.branch !== taskBranch(runId, taskId)) return undefined;
    return { path, runId: refComponent(runId), taskId: refComponent(taskId), branch: state.branch, isLocked: false, isPrunable: false, isPoolSlot: true };
  }

  async #remove(listed: ListedWorktree | undefined, runId: string, taskId: string, label: string, committed?: string, isMergePending = false): Promise<{ leftoverRef?: string }> {
    const branch = taskBranch(runId, taskId);
    let kept: string | undefined;
    const slot = listed?.isPoolSlot === true && !listed.isPrunable ? listed.path : undefined;
    // The merge queue has yet to land the task's commit: its branch holds it until then (the merge deletes the branch in
    // the head's transaction, a conflict keeps it). Not in the slot's transaction below: git refuses to move a branch and
    // the HEAD that points to it in one.
    // A commit made on the branch in the worktree (`commitWorkingState`) is there already.
    if (isMergePending && committed !== undefined && (await resolveRef(this.#root, `refs/heads/${branch}`)) !== committed) await runGit(this.#root, ['update-ref', '-m', 'qoder-orch: task commit', `refs/heads/${branch}`, committed]);
    if (slot !== undefined) {
      // A slot goes back to the pool: its work kept, HEAD detached from the task's branch, files left for the next task's reset.
      await this.#pool.queueOf(slot).run(async () => {
        // A state the task's commit took just now is not looked at again: what is written after it, the next reset keeps.
        const work = committed === undefined ? await this.#keepWork(slot, runId, taskId, label, { isUncommittedOnly: isMergePending }) : undefined;
        kept = work?.ref;
        // Detached at what its files hold (the kept work, when there was some): the next reset finds nothing new to keep.
        const head = work?.commit ?? committed ?? (await headCommit(slot));
        if (head === undefined) return;
        if (isMergePending) return detachSlot(slot, head, this.#settled.take());
        const tip = await resolveRef(this.#root, `refs/heads/${branch}`);
        if (tip !== undefined) kept ??= await this.#keepBranch(tip, runId, taskId, label);
        // The slot is detached and earlier slots' task branches deleted in one transaction. After a task's commit (the
        // per-task path), its own branch waits for the next release; otherwise it goes now.
        await detachSlot(slot, head, this.#settled.take());
        if (tip !== undefined && committed !== undefined) this.#settled.add(branch, tip);
        else if (tip !== undefined) await deleteBranches(this.#root, [{ ref: `refs/heads/${branch}`, tip }]);
      });
    } else {
      if (listed !== undefined && !listed.isPrunable) {
        kept = (await this.#keepWork(listed.path, runId, taskId, label, { isUncommittedOnly: isMergePending }))?.ref;
        // The provisioner's teardown, once the worktree itself goes (a slot back in the pool keeps its provisioning).
        await this.#beforeRemove?.(listed.path).catch(() => undefined);
        await runGit(this.#root, ['worktree', 'remove', '--force', '--force', listed.path]);
      }
      if (listed !== undefined) {
        await tryGit(this.#root, ['worktree', 'prune']);
        // The run's folder, once empty (rmdir refuses a folder that still holds other worktrees).
        await rmdir(dirname(listed.path)).catch(() => undefined);
      }
    }
    const tip = slot === undefined && !isMergePending ? await resolveRef(this.#root, `refs/heads/${branch}`) : undefined;
    if (tip !== undefined) {
      kept ??= await this.#keepBranch(tip, runId, taskId, label);
      await runGit(this.#root, ['branch', '-D', '-q', branch]);
    }
    if (slot !== undefined) {
      this.#held.delete(heldKey(runId, taskId));
      this.#pool.released(slot);
    }
    return kept === undefined ? {} : { leftoverRef: kept };
  }

  /**
   * At the end of a failed run: the worktree of a task whose work is kept for inspection leaves
   * the pool, moved to `<run>/<task>`. Returns where it is now (the slot itself when git cannot
   * move it), or `undefined` when the task has none.
   */
  async retire(runId: string, taskId: string): Promise<string | undefined> {
    const listed = (await this.list()).find((worktree) => worktree.runId === refComponent(runId) && worktree.taskId === refComponent(taskId));
    if (listed === undefined || listed.isPoolSlot !== true) return listed?.path;
    const target = this.pathOf(runId, taskId);
    const moved = await this.#pool.queueOf(listed.path).run(async () => {
      await setAsideOrphan(target);
      await mkdir(dirname(target), { recursive: true });
      return tryGit(this.#root, ['worktree', 'move', listed.path, target]);
    });
    this.#pool.forget(listed.path);
    this.#held.delete(heldKey(runId, taskId));
    return moved.isOk ? target : listed.path;
  }

  /** Our task worktrees (in this repository's worktree folder, or where earlier versions put them), as git knows them. */
  async list(): Promise<ListedWorktree[]> {
    const output = await runGit(this.#root, ['worktree', 'list', '--porcelain', '-z']);
    const folders = [...new Set([this.#directory, await realpath(this.#directory).catch(() => this.#directory), this.#legacyDirectory])];
    return parseWorktreeList(output, folders);
  }

  /**
   * Cleans worktrees and task branches a crashed or failed run left behind, except those of
   * `keepRunId` (or all but those of `onlyRunId`): their work is kept under leftover refs
   * (`…/<label>`, default `crashed`), then they are removed (locked ones too). A pool slot that
   * holds such a task is released to the pool instead; idle slots are not leftovers, and are
   * removed (their work kept) only with `isRemovingIdlePool`.
   *
   * @returns the leftover refs written.
   */
  async cleanLeftovers(options: { keepRunId?: string; onlyRunId?: string; label?: string; isRemovingIdlePool?: boolean } = {}): Promise<string[]> {
    await this.settleBranches();
    await tryGit(this.#root, ['worktree', 'prune']);
    const kept: string[] = [];
    const seen = new Set<string>();
    const label = options.label ?? 'crashed';
    const isSpared = (runId: string) => (options.keepRunId !== undefined && runId === refComponent(options.keepRunId)) || (options.onlyRunId !== undefined && runId !== refComponent(options.onlyRunId));
    for (const worktree of await this.list()) {
      if (worktree.isPoolSlot === true && worktree.runId === '') {
        // Idle (or on a branch that is not a task's): the pool's, not a leftover.
        if (options.isRemovingIdlePool === true && worktree.branch === undefined && !this.#pool.isTaken(worktree.path)) {
          const work = await this.#keepWork(worktree.path, 'pool', basename(worktree.path), label, { isUncommittedOnly: true });
          if (work !== undefined) kept.push(work.ref);
          await this.#beforeRemove?.(worktree.path).catch(() => undefined);
          await runGit(this.#root, ['worktree', 'remove', '--force', '--force', worktree.path]);
          this.#pool.forget(worktree.path);
        } else if (worktree.branch === undefined && !worktree.isLocked && !worktree.isPrunable) this.#pool.released(worktree.path);
        // An idle slot this listing showed is taken by the run's first tasks without listing again (confirmed from git's files).
        continue;
      }
      seen.add(`${worktree.runId}/${worktree.taskId}`);
      if (isSpared(worktree.runId)) continue;
      // A killed run's agent still working in a slot would write into the next task's worktree.
      if (worktree.isPoolSlot === true) endProcessesWorkingIn(worktree.path);
      const result = await this.#remove(worktree, worktree.runId, worktree.taskId, label);
      if (result.leftoverRef !== undefined) kept.push(result.leftoverRef);
    }
    if (options.isRemovingIdlePool === true) await rmdir(this.#pool.directory).catch(() => undefined);
    // Task branches (`qoder-orch/<run>/<task>`) of runs that left a trace of their own: a private
    // ref or a run folder. Other branches under qoder-orch/ (a run's delivered branch
    // `qoder-orch/run-<id>`, a user's `qoder-orch/team/feature`) are not ours to remove.
    const refs = splitNul((await runGit(this.#root, ['for-each-ref', '--format=%(refname)%00', 'refs/heads/qoder-orch/', `${PRIVATE_REF_ROOT}/`])).replace(/\n/g, ''));
    const runsWithTraces = new Set(refs.filter((ref) => ref.startsWith(`${PRIVATE_REF_ROOT}/`)).map((ref) => ref.split('/')[3] ?? ''));
    for (const runId of await readdir(join(this.#root, PRIVATE_DIRECTORY, 'runs')).catch(() => [] as string[])) runsWithTraces.add(refComponent(runId));
    const branches = refs.filter((ref) => ref.startsWith('refs/heads/qoder-orch/')).map((ref) => ref.slice('refs/heads/'.length));
    for (const branch of branches) {
      const parts = branch.split('/');
      const [, runId = '', taskId = ''] = parts;
      if (parts.length !== 3 || !runsWithTraces.has(runId)) continue;
      if (isSpared(runId)) continue;
      if (seen.has(`${runId}/${taskId}`)) continue;
      const result = await this.#remove(undefined, runId, taskId, label);
      if (result.leftoverRef !== undefined) kept.push(result.leftoverRef);
    }
    return kept;
  }

  /**
   * Keeps a worktree's work under a leftover ref: its uncommitted changes (a commit on top of its
   * HEAD) and, unless `isUncommittedOnly` (an idle slot, whose HEAD is kept already), commits
   * of its HEAD that are not on the integration head. Returns the ref and the commit it holds.
   */
  async #keepWork(path: string, runId: string, taskId: string, label: string, options: { isUncommittedOnly?: boolean; state?: WorkingState } = {}): Promise<{ ref: string; commit: string } | undefined> {
    const state = options.state ?? (await workingState(path).catch(() => undefined));
    const head = state?.head;
    if (state === undefined || head === undefined) return undefined;
    const { tree } = state;
    const isChanged = tree !== state.headTree;
    // Nothing uncommitted, and (unless only that counts) its HEAD in the integration head's history: nothing would be lost.
    if (!isChanged && (options.isUncommittedOnly === true || (await isOnHead(this.#root, head)))) return undefined;
    const commit = isChanged ? await commitTree(this.#root, tree, { parents: [head], message: `qoder-orch: work left in the worktree of task ${taskId} (run ${runId})`, identity: this.#identity }) : head;
    const ref = await this.#unusedRef(leftoverRef(runId, taskId, label));
    await runGit(this.#root, ['update-ref', ref, commit]);
    return { ref, commit };
  }

  /** Keeps a task branch's tip under a leftover ref unless it is on the integration head; answers the ref written. */
  async #keepBranch(tip: string, runId: string, taskId: string, label: string): Promise<string | undefined> {
    const head = await headCommit(this.#root);
    if (head !== undefined && (await isAncestor(this.#root, tip, head))) return undefined;
    const ref = await this.#unusedRef(leftoverRef(runId, taskId, `${label}-branch`));
    await runGit(this.#root, ['update-ref', ref, tip]);
    return ref;
  }

  /** `ref`, or `ref-2`, `ref-3`… when it already holds earlier work: leftovers are never overwritten. */
  async #unusedRef(ref: string): Promise<string> {
    let candidate = ref;
    for (let suffix = 2; (await resolveRef(this.#root, candidate)) !== undefined; suffix += 1) candidate = `${ref}-${suffix}`;
    return candidate;
  }
}
