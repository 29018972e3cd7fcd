import { realpath, rmdir } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { headCommit, isAncestor, LITERAL_PATHSPECS, resolveRef, runGit, tryGit } from '../git/git-client';
import { DEFAULT_GIT_IDENTITY, type GitIdentity } from '../git/git-identity';
import { gitVersion, MINIMUM_GIT_VERSION } from '../git/git-version';
import { mergeTrees } from '../git/merge-trees';
import { moveHead } from '../git/move-head';
import { PRIVATE_REF_ROOT, refComponent, snapshotRef, taskCommitRef } from '../git/ref-names';
import { ensureInitialCommit, ensurePrivateDirectoryExcluded, repositoryPaths } from '../git/repository';
import { RepositoryGuard } from '../git/repository-guard';
import { RollbackManager } from '../git/rollback-manager';
import { acquireRunLock, releaseRunLock } from '../git/run-lock';
import { SerialQueue } from '@qoder-orch/spec';
import type { InterruptedTask, PreparedTask, PrepareTaskOptions, RunBranch, WorkspaceBeginOptions, WorkspaceBeginResult, WorkspaceEndResult } from '../git/task-workspace';
import { withTemporaryIndex } from '../git/temporary-index';
import { WorktreeManager } from '../git/worktree-manager';
import { commitTree, treeOf } from '../git/working-state';
import type { Task } from '@qoder-orch/spec';
import type { GitWorkspaceOptions } from './git-workspace-options';
import { clearMergeIntent, settleMergeIntent, writeMergeIntent } from './merge-intent';
import { checkpointOrder, describePaths, dirtyPaths, refuseOperationInProgress } from './repository-state';
import { WorktreeProvisioner } from './provision/worktree-provisioner';
import { enterRunBranch, leaveRunBranch, refuseTakenBranch } from './run-branch';
import { RefUpdateBatches } from '../git/ref-update-batches';
import { TamperingWatch } from './tampering-watch';
import type { LandedChange } from './task-attribution';
import type { TaskRecord } from './task-record';

/** What differs between the strategies at the end of a run. */
export interface RunEndStrategy {
  /** Removes (success) or keeps (failure) what unfinished tasks leave behind; returns what is kept. */
  settleTasks?(isSuccess: boolean): Promise<{ keptRefs: string[]; keptWorktrees: string[] }>;
  /** The warning for changes still in the work tree at the end. */
  leftInTreeWarning(described: string): string;
}

/**
 * One run in a git repository, as both workspace strategies see it: where the repository is,
 * the queues every git operation goes through, the tasks and what landed, the repository
 * guard, and the steps that do not depend on where tasks work (begin, crash recovery, reverting
 * landed work, committing the run's records, the end).
 */
export class GitRun {
  readonly options: GitWorkspaceOptions;
  readonly identity: GitIdentity;
  /** Short git operations on the main repository (refs, index, HEAD), one at a time. */
  readonly queue = new SerialQueue();
  /** Merges and their verification, one at a time in completion order; nothing else moves the integration tree meanwhile. */
  readonly mergeQueue = new SerialQueue();
  readonly tasks = new Map<string, TaskRecord>();
  /** Tasks past `startTask` whose record is not written yet (their worktree is being reset outside the queue): running, for the tampering watch. */
  readonly starting = new Set<string>();
  readonly landed: LandedChange[] = [];
  readonly warnings: string[] = [];
  readonly watch = new TamperingWatch(this);
  /** Task checkpoint refs (isolation `worktree`): those asked for while one is written go in one transaction. */
  readonly checkpointRefs = new RefUpdateBatches('qoder-orch checkpoint');
  root = '';
  commonDir = '';
  /** The project directory relative to the repository root ('' at the root). */
  subdirectory = '';
  #sequence = 0;
  #runId: string | undefined;
  #rollback: RollbackManager | undefined;
  #worktrees: WorktreeManager | undefined;
  #provisioner: WorktreeProvisioner | undefined;
  #branch: RunBranch | undefined;

  constructor(options: GitWorkspaceOptions) {
    this.options = options;
    this.identity = options.identity ?? DEFAULT_GIT_IDENTITY;
  }

  get rollback(): RollbackManager {
    return this.#rollback as RollbackManager;
  }

  get worktrees(): WorktreeManager {
    return this.#worktrees as WorktreeManager;
  }

  /** Makes new task worktrees ready to work in (`GitWorkspaceOptions.provision`), and gives every task its slot's environment. */
  get provisioner(): WorktreeProvisioner {
    return this.#provisioner as WorktreeProvisioner;
  }

  nextSequence(): number {
    return ++this.#sequence;
  }

  runningTaskIds(): string[] {
    const running = [...this.tasks.values()].filter((record) => record.phase === 'running').map((record) => record.task.id);
    return [...new Set([...running, ...this.starting])];
  }

  /**
   * Starts the run (see `createGitWorkspace`). `prepareRepository` runs before the repository
   * guard records the configuration, so what the strategy itself configures is not tampering.
   */
  async begin(options: WorkspaceBeginOptions, prepareRepository?: () => Promise<void>): Promise<WorkspaceBeginResult> {
    const paths = await repositoryPaths(this.options.projectDir);
    this.root = paths.root;
    this.commonDir = paths.commonDir;
    this.#runId = options.runId;
    const project = await realpath(this.options.projectDir);
    this.subdirectory = relative(this.root, project).split(sep).join('/');
    this.#rollback = new RollbackManager({ projectDir: this.root, identity: this.identity });
    const provision = this.options.provision ?? {};
    const provisioner = new WorktreeProvisioner({ ...provision, root: this.root, dependencies: provision.dependencies ?? (this.options.linkDependencies === false ? 'none' : 'link') });
    this.#provisioner = provisioner;
    if (options.onProvision !== undefined) {
      const tell = options.onProvision;
      provisioner.on('provision-start', (event) => tell({ type: 'provision-start', ...event }));
      provisioner.on('provision-finish', (event) => tell({ type: 'provision-finish', ...event }));
      provisioner.on('warning', (event) => tell({ type: 'warning', ...event }));
    }
    // Also in a shared tree: an earlier run's worktrees are cleaned up by begin. What a worktree needs besides its checkout is the provisioner's.
    this.#worktrees = new WorktreeManager({
      projectDir: this.root,
      identity: this.identity,
      ...(this.options.worktreeRoot === undefined ? {} : { worktreeRoot: this.options.worktreeRoot }),
      beforeRemove: (path) => provisioner.teardown(path),
      // What provisioning put in a slot stays there from one task to the next: provisioned once per slot.
      preservedPaths: (path) => provisioner.preservedPaths(path),
    });
    const warnings: string[] = [];
    if (this.subdirectory !== '') {
      warnings.push(`${project} is inside the repository at ${this.root}: checkpoints and commits cover the whole repository.`);
    }
    const version = await gitVersion(this.root);
    if (version.isOk && !version.version.isSupported) {
      throw new OrchestratorError({
        code: 'GIT_ERROR',
        message: `git ${version.version.text} is too old for qoder-orch's merges and rollbacks.`,
        fix: `Upgrade git to ${MINIMUM_GIT_VERSION.join('.')} or later.`,
      });
    }
    await refuseOperationInProgress(paths.gitDir);
    await ensurePrivateDirectoryExcluded(this.commonDir);
    const lock = await acquireRunLock(this.commonDir, options.runId);
    if (lock.staleRunId !== undefined && lock.staleRunId !== options.runId) {
      warnings.push(`Run ${lock.staleRunId} stopped without finishing; its leftovers are cleaned up and its work kept under ${PRIVATE_REF_ROOT}/.`);
    }
    try {
      // Configuration and hooks changed during a run that died before its end go back first.
      const crashedGuard = lock.staleRunId === undefined ? undefined : await RepositoryGuard.resumeAfterCrash(this.commonDir);
      for (const finding of (await crashedGuard?.check()) ?? []) {
        warnings.push(
          `${finding.kind === 'git-hooks' ? 'Git hooks' : 'Git configuration'} changed during run ${lock.staleRunId ?? 'an earlier run'}, which did not finish, ${finding.kind === 'git-hooks' ? 'are' : 'is'} put back: ${describePaths(finding.changes)}.`,
        );
      }
      const baseCommit = await ensureInitialCommit(this.root, this.identity);
      const settled = await settleMergeIntent(this.root, this.commonDir);
      if (settled !== undefined) warnings.push(settled);
      if (!options.isResume) await this.#restoreCrashedUserWork(warnings);
      const keptLeftovers = await this.worktrees.cleanLeftovers(options.isResume ? { keepRunId: options.runId } : {});
      if (keptLeftovers.length > 0) warnings.push(`Work left in earlier runs' worktrees is kept at ${keptLeftovers.join(', ')}.`);
      let userSnapshot = await resolveRef(this.root, snapshotRef(options.runId));
      // A bad or taken branch name is refused before anything of the user's is set aside.
      if (options.branch !== undefined && !options.isResume) await refuseTakenBranch(this.root, options.branch.name);
      if (!options.isResume) {
        const dirty = await dirtyPaths(this.root);
        if (dirty.length > 0 && !options.allowDirty) {
          throw new OrchestratorError({
            code: 'DIRTY_WORKTREE',
            message: `The work tree has uncommitted changes (${describePaths(dirty)}); a run would mix them with its own work.`,
            fix: 'Commit or stash your changes first, or allow a dirty tree (`allowDirty`, `--allow-dirty`): your changes are then set aside under refs/qoder-orch/snapshots/<run> and put back when the run ends.',
          });
        }
        if (dirty.length > 0) {
          const aside = await this.rollback.setAsideUserWork(options.runId);
          userSnapshot = aside?.commit;
          if (aside !== undefined) warnings.push(`Your uncommitted changes (${describePaths(dirty)}) are set aside at ${aside.ref} and will be put back when the run ends.`);
        }
      } else if ((await dirtyPaths(this.root)).length > 0) {
        warnings.push('Resuming with changes in the work tree: the interrupted tasks are rolled back by recover(); other changes are set aside then.');
      }
      if (options.branch !== undefined) {
        const entered = await enterRunBranch(this.root, { branch: options.branch, runId: options.runId, isResume: options.isResume, rollback: this.rollback });
        this.#branch = entered.branch;
        warnings.push(...entered.warnings);
      }
      const ownPaths = (options.ownPaths ?? []).map((path) => (this.subdirectory === '' ? path : `${this.subdirectory}/${path}`).split(sep).join('/'));
      this.watch.listen({ onTampering: options.onTampering, ownPaths });
      await prepareRepository?.();
      this.watch.guard(await RepositoryGuard.take(this.commonDir));
      return {
        baseCommit: (await headCommit(this.root)) ?? baseCommit,
        ...(userSnapshot === undefined ? {} : { userSnapshot }),
        ...(this.#branch === undefined ? {} : { branch: this.#branch }),
        warnings,
      };
    } catch (error) {
      // The checkout goes back to the user's branch when the run cannot begin after all.
      if (this.#branch !== undefined) await leaveRunBranch(this.root, { branch: this.#branch, runId: options.runId, rollback: this.rollback }).catch(() => undefined);
      this.#branch = undefined;
      await releaseRunLock(this.commonDir, options.runId);
      throw error;
    }
  }

  /**
   * On resume: for each interrupted task, latest checkpoint first, reverts work that landed but
   * was not recorded, then lets the strategy undo what is left of the task (`undoTask`).
   */
  async recoverTasks(tasks: InterruptedTask[], undoTask: (entry: { taskId: string; checkpoint?: string }) => Promise<void>): Promise<void> {
    const runId = this.requireRun();
    const entries: Array<{ taskId: string; checkpoint?: string; order: string }> = [];
    for (const interrupted of tasks) {
      const checkpoint = interrupted.checkpoint ?? (await this.rollback.checkpointOf(runId, interrupted.taskId));
      const order = checkpoint === undefined ? '' : await checkpointOrder(this.root, checkpoint);
      entries.push({ taskId: interrupted.taskId, ...(checkpoint === undefined ? {} : { checkpoint }), order });
    }
    // Latest checkpoint first: an earlier task's checkpoint holds the state before both.
    entries.sort((left, right) => right.order.localeCompare(left.order));
    for (const entry of entries) {
      const landed = await resolveRef(this.root, taskCommitRef(runId, entry.taskId));
      const head = await headCommit(this.root);
      if (landed !== undefined && head !== undefined && (await isAncestor(this.root, landed, head))) {
        await this.revertLanded(runId, entry.taskId, landed, 'interrupted before it was recorded');
      }
      await undoTask(entry);
    }
    const dirty = await dirtyPaths(this.root);
    if (dirty.length > 0) {
      // Whatever is left is not a task's: keep it out of the run's commits, and give it back at the end.
      const label = (await resolveRef(this.root, snapshotRef(runId))) === undefined ? runId : `${runId}--resume-${Date.now()}`;
      const aside = await this.rollback.setAsideUserWork(label);
      if (aside !== undefined) this.warnings.push(`Changes found when resuming (${describePaths(dirty)}) are set aside at ${aside.ref} and put back when the run ends.`);
    }
  }

  /** The common start of `prepare`: the task becomes active; returns where it starts from. */
  async startTask(task: Task, options: PrepareTaskOptions, how: { isOutsideQueue?: boolean } = {}): Promise<{ baseCommit: string; sequence: number; isCheckpointKept: boolean }> {
    this.requireRun();
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `Task ${task.id} was aborted before it started.` });
    // Before git checks out a new worktree: a filter a running agent configured must not run.
    await this.watch.checkGitFiles();
    // A rebaseline reads the checkout: never beside a move of the head (outside the queue, agents run: there is none to make).
    if (how.isOutsideQueue !== true) await this.watch.rebaselineIfIdle();
    this.watch.taskStarted(task.id);
    this.starting.add(task.id);
    const baseCommit = (await headCommit(this.root)) as string;
    return { baseCommit, sequence: this.nextSequence(), isCheckpointKept: this.options.createCheckpoints !== false };
  }

  /** Rolls back a task whose work already landed (nothing to do unless `isRollback`). */
  async discardLanded(record: TaskRecord, options: { isRollback: boolean; reason: string }): Promise<void> {
    if (!options.isRollback || record.landedCommit === undefined) return;
    const landed = record.landedCommit;
    await this.mergeQueue.run(() => this.queue.run(() => this.revertLanded(record.runId, record.task.id, landed, options.reason)));
    delete record.landedCommit;
    record.phase = 'failed';
  }

  /** Undoes a commit that landed on the integration head: drops it if it is the tip, otherwise adds a revert commit. */
  async revertLanded(runId: string, taskId: string, landed: string, reason: string): Promise<void> {
    const head = (await headCommit(this.root)) as string;
    const parent = (await resolveRef(this.root, `${landed}^1`)) as string;
    const owner = { runId: this.tasks.get(taskId)?.runId ?? runId, taskIds: [taskId] };
    if (head === landed) {
      await this.moveIntegrationHead(owner, head, parent, `roll back task ${taskId}`);
    } else {
      const merged = await mergeTrees(this.root, landed, head, parent, this.identity);
      if (!merged.isClean) {
        throw new OrchestratorError({
          code: 'MERGE_CONFLICT',
          message: `Task ${taskId} cannot be rolled back: later work changed the same lines in ${describePaths(merged.conflicts)}. Nothing was changed.`,
          fix: `Revert it by hand with \`git revert -m 1 ${landed.slice(0, 12)}\` and resolve the conflicts.`,
        });
      }
      const revert = await commitTree(this.root, merged.tree, { parents: [head], message: `Revert task ${taskId}: ${reason}\n\nqoder-orch: reverts ${landed}`, identity: this.identity });
      await this.moveIntegrationHead(owner, head, revert, `revert task ${taskId}`);
    }
    await runGit(this.root, ['update-ref', '-d', taskCommitRef(runId, taskId)]);
  }

  /**
   * Moves the integration head for `owner.taskIds` (a merge of one or several tasks, a revert),
   * with the refs in `refs` set and deleted in the same transaction.
   */
  async moveIntegrationHead(owner: { runId: string; taskIds: readonly string[] }, from: string, to: string, reason: string, refs: { set?: ReadonlyArray<{ ref: string; commit: string }>; delete?: readonly string[] } = {}): Promise<void> {
    // Files agents wrote in the checkout are found (and taken out) before the move, which would refuse to overwrite them;
    // the move writes files, so no filter an agent configured may run in it.
    await this.watch.inspect(owner.taskIds.length === 1 ? owner.taskIds[0] : undefined);
    await writeMergeIntent(this.commonDir, { runId: owner.runId, taskId: owner.taskIds.join(', '), from, to });
    let isMoved = false;
    try {
      await moveHead(this.root, from, to, reason, { ...(refs.set === undefined ? {} : { alsoSet: refs.set }), ...(refs.delete === undefined ? {} : { alsoDelete: refs.delete }) });
      isMoved = true;
    } finally {
      await clearMergeIntent(this.commonDir);
      await this.watch.checkoutMoved(isMoved ? { from, to } : undefined);
    }
  }

  async commitFiles(paths: readonly string[], message: string): Promise<string | undefined> {
    await this.mergeQueue.onIdle();
    return this.queue.run(async () => {
      const head = (await headCommit(this.root)) as string;
      const tree = await withTemporaryIndex(
        this.root,
        async (env) => {
          await runGit(this.root, ['add', '-A', '--', ...paths], { env: { ...env, ...LITERAL_PATHSPECS } });
          return (await runGit(this.root, ['write-tree'], { env })).trim();
        },
        { fromTree: head },
      );
      if (tree === (await treeOf(this.root, head))) return undefined;
      const commit = await commitTree(this.root, tree, { parents: [head], message, identity: this.identity });
      const moved = await tryGit(this.root, ['update-ref', '-m', 'qoder-orch: run records', 'HEAD', commit, head]);
      if (!moved.isOk) {
        throw new OrchestratorError({ code: 'GIT_ERROR', message: `Could not commit ${paths.join(', ')}: HEAD moved during the run (${moved.message}).`, fix: 'Do not commit or switch branches in the project while a run is in progress.' });
      }
      await tryGit(this.root, ['reset', '-q', '--', ...paths], { env: LITERAL_PATHSPECS });
      return commit;
    });
  }

  /** End of run (see `createGitWorkspace`); the strategy settles its unfinished tasks. */
  async end(options: { isSuccess: boolean }, strategy: RunEndStrategy): Promise<WorkspaceEndResult> {
    await this.mergeQueue.onIdle();
    return this.queue.run(async () => {
      const runId = this.requireRun();
      const rollback = this.rollback;
      await this.watch.inspect(undefined, { isThorough: true });
      const warnings = [...this.warnings];
      // Read beside the settling below, which touches neither the checkout nor the snapshots (leaving a run branch may set work aside: read after it then).
      const [dirty, pendingWork] = [dirtyPaths(this.root), this.#branch === undefined ? rollback.pendingUserWork() : undefined];
      for (const reading of [dirty, pendingWork]) reading?.catch(() => undefined);
      const { keptRefs, keptWorktrees } = (await strategy.settleTasks?.(options.isSuccess)) ?? { keptRefs: [], keptWorktrees: [] };
      if (options.isSuccess) {
        // One transaction for all of them: one git process, however many tasks the run had.
        const checkpoints = await rollback.listCheckpoints({ runId });
        if (checkpoints.length > 0) await runGit(this.root, ['update-ref', '--stdin'], { input: checkpoints.map((checkpoint) => `delete ${checkpoint.ref}\n`).join('') });
      } else {
        await rollback.markRunFailed(runId);
        if (keptWorktrees.length > 0) {
          warnings.push(
            `Worktrees of failed tasks are kept for inspection: ${keptWorktrees.join(', ')}. The next run removes them (keeping their work under ${PRIVATE_REF_ROOT}/leftovers/); list or remove them now with \`qoder-orchestrate checkpoints worktrees\` and \`qoder-orchestrate checkpoints prune --run ${runId}\`.`,
          );
        }
      }
      const leftInTree = await dirty;
      if (leftInTree.length > 0) warnings.push(strategy.leftInTreeWarning(describePaths(leftInTree)));
      // Back to the user's branch before their set-aside work returns: it was taken there.
      const left = this.#branch === undefined ? undefined : await leaveRunBranch(this.root, { branch: this.#branch, runId, rollback });
      if (left !== undefined) warnings.push(...left.warnings);
      for (const pending of await (pendingWork ?? rollback.pendingUserWork())) {
        if (pending !== refComponent(runId) && !pending.startsWith(`${refComponent(runId)}--resume-`)) continue;
        const restored = await rollback.restoreUserWork(pending);
        if (!restored.isRestored && restored.ref !== undefined) {
          keptRefs.push(restored.ref);
          warnings.push(
            `Your set-aside changes conflict with the run's commits in ${describePaths(restored.conflicts ?? [])}; they are kept at ${restored.ref}. Restore them with \`git checkout ${restored.ref} -- .\` (or \`git diff HEAD ${restored.ref}\` to review).`,
          );
        } else if (restored.isUnstaged === true) warnings.push('Your set-aside changes are back in the work tree; staged changes are now unstaged because the run committed on top of them.');
      }
      await clearMergeIntent(this.commonDir);
      await this.watch.release();
      await releaseRunLock(this.commonDir, runId);
      // The run's worktree folder, once empty (rmdir refuses a folder that still holds kept worktrees).
      await rmdir(this.worktrees.runDirectory(runId)).catch(() => undefined);
      const branch = this.#branch === undefined ? undefined : { name: this.#branch.name, ...(left?.head === undefined ? {} : { head: left.head }), ...(left?.returnedTo === undefined ? {} : { returnedTo: left.returnedTo }) };
      return { warnings, keptRefs, keptWorktrees, ...(branch === undefined ? {} : { branch }) };
    });
  }

  record(prepared: PreparedTask): TaskRecord {
    const record = this.tasks.get(prepared.taskId);
    if (record === undefined) {
      throw new OrchestratorError({ code: 'GIT_ERROR', message: `Task ${prepared.taskId} was not prepared by this workspace.`, fix: 'Call prepare() for a task before complete(), discard() or changedFiles().' });
    }
    return record;
  }

  requireRun(): string {
    if (this.#runId === undefined) {
      throw new OrchestratorError({ code: 'GIT_ERROR', message: 'The workspace has not begun a run.', fix: 'Call begin({ runId, … }) first.' });
    }
    return this.#runId;
  }

  async #restoreCrashedUserWork(warnings: string[]): Promise<void> {
    for (const pending of await this.rollback.pendingUserWork()) {
      if ((await dirtyPaths(this.root)).length > 0) {
        warnings.push(`Uncommitted work set aside by an earlier run is still at ${snapshotRef(pending)}; restore it with \`git checkout ${snapshotRef(pending)} -- .\`.`);
        continue;
      }
      const restored = await this.rollback.restoreUserWork(pending);
      warnings.push(
        restored.isRestored
          ? `Uncommitted work set aside by run ${pending}, which did not finish, is back in the work tree.`
          : `Uncommitted work set aside by run ${pending} conflicts with later commits; it is kept at ${snapshotRef(pending)}.`,
      );
    }
  }
}
