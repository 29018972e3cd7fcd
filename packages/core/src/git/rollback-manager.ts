import { EventEmitter } from 'eventemitter3';
import { OrchestratorError } from '@qoder-orch/spec';
import { forPathBatches, headCommit, LITERAL_PATHSPECS, resolveRef, runGit, splitNul, tryGit } from './git-client';
import { DEFAULT_GIT_IDENTITY, type GitIdentity } from './git-identity';
import { mergeTrees } from './merge-trees';
import { checkpointRef, failedRunRef, leftoverRef, PRIVATE_REF_ROOT, refComponent, restoredSnapshotRef, snapshotRef } from './ref-names';
import { restoreTree } from './restore-tree';
import { indexTree, workingState } from './temporary-index';
import { commitTree, treeOf } from './working-state';

export interface RollbackManagerOptions {
  /** The repository root (or a linked worktree of it) whose working tree is checkpointed. */
  projectDir: string;
  /** Author and committer of checkpoint commits. @default DEFAULT_GIT_IDENTITY */
  identity?: GitIdentity;
}

/** A checkpoint: the whole working state before a task, as a commit object under a private ref. */
export interface Checkpoint {
  runId: string;
  taskId: string;
  ref: string;
  /** The commit holding the working state (first parent: HEAD then; second parent: the index then). */
  commit: string;
  /** The tree of the working state. */
  tree: string;
}

export interface CheckpointInfo {
  /** As written in the ref (ids are made ref-safe; task ids matching `TASK_ID_PATTERN` are unchanged). */
  runId: string;
  taskId: string;
  ref: string;
  commit: string;
  createdAt: string;
  /** The run ended in failure: its checkpoints survive `pruneCheckpoints({ keepFailed: true })`. */
  isFailedRun: boolean;
}

export interface RollbackOptions {
  /** The working tree to restore (a task's worktree). @default the project directory */
  cwd?: string;
  /** Restore only these paths (the files the task changed); others are left alone. @default every path that differs */
  paths?: Iterable<string>;
  /** Before restoring, keep what is being replaced under `refs/qoder-orch/leftovers/…`. @default true */
  isKeepingCurrentWork?: boolean;
}

export interface RollbackResult {
  /** The paths rewritten, recreated or removed. */
  restoredPaths: string[];
  /** The ref holding the work that was replaced, when it was kept. */
  leftoverRef?: string;
}

export interface PruneCheckpointsOptions {
  /** Prune only this run. @default every run */
  runId?: string;
  /** Keep checkpoints (and leftovers) of runs that ended in failure. @default true */
  keepFailed?: boolean;
}

export interface UserWorkRestoreResult {
  isRestored: boolean;
  /** The ref that still holds the work when it could not be put back. */
  ref?: string;
  conflicts?: string[];
  /** Staged changes could not be re-staged (HEAD moved): they are back as unstaged changes. */
  isUnstaged?: boolean;
}

/** A rollback that rewrote the working tree: what was restored, from which state, and where the replaced work is kept. */
export interface RollbackEvent {
  /** The state commit restored (a checkpoint, or a baseline of the project checkout). */
  stateCommit: string;
  /** The working tree restored. */
  cwd: string;
  /** The run and task the replaced work is labelled with, when given. */
  runId?: string;
  taskId?: string;
  restoredPaths: string[];
  leftoverRef?: string;
}

/** Something the caller should tell the user: set-aside work that could not be put back as it was. */
export interface RollbackWarning {
  code: 'USER_WORK_CONFLICT' | 'USER_WORK_UNSTAGED';
  message: string;
  /** The ref that still holds the work. */
  ref?: string;
}

/** The events a `RollbackManager` emits, in eventemitter3's listener-argument form. */
export interface RollbackManagerEvents {
  checkpoint: [checkpoint: Checkpoint];
  rollback: [rollback: RollbackEvent];
  warning: [warning: RollbackWarning];
}

/**
 * Checkpoints and rollbacks that never touch the user's branch, index or stash list.
 *
 * A checkpoint is a commit object of the whole working state (untracked files included, ignored
 * files not) kept alive by `refs/qoder-orch/checkpoints/<run>/<task>`. A rollback restores that
 * state byte for byte (modes, symlinks, binary files; files created since are removed), limited
 * to given paths when other work must stay. What a rollback replaces is first kept under
 * `refs/qoder-orch/leftovers/…`, so a rollback never destroys work either.
 *
 * The user's own uncommitted work can be set aside before a run (`setAsideUserWork`) and put
 * back after it (`restoreUserWork`); until then it lives at `refs/qoder-orch/snapshots/<run>`.
 *
 * Events: `checkpoint` (each checkpoint taken), `rollback` (each restore that rewrote the tree,
 * with the paths and the leftover ref), `warning` (set-aside work that conflicts or lost its
 * staging). A listener that throws never stops a checkpoint or a rollback half way.
 */
export class RollbackManager extends EventEmitter<RollbackManagerEvents> {
  readonly #root: string;
  readonly #identity: GitIdentity;
  #sequence = 0;

  constructor(options: RollbackManagerOptions) {
    super();
    this.#root = options.projectDir;
    this.#identity = options.identity ?? DEFAULT_GIT_IDENTITY;
  }

  /** Records the working state of `cwd` (default: the project) before `taskId` runs. */
  async checkpoint(runId: string, taskId: string, options: { cwd?: string } = {}): Promise<Checkpoint> {
    const cwd = options.cwd ?? this.#root;
    const commit = await this.#stateCommit(cwd, `qoder-orch checkpoint\n\nrun: ${runId}\ntask: ${taskId}\nat: ${Date.now()}.${String(++this.#sequence).padStart(6, '0')}`);
    const ref = checkpointRef(runId, taskId);
    await runGit(this.#root, ['update-ref', '-m', 'qoder-orch checkpoint', ref, commit.commit]);
    const checkpoint = { runId, taskId, ref, commit: commit.commit, tree: commit.tree };
    this.#emit('checkpoint', checkpoint);
    return checkpoint;
  }

  /** The checkpoint commit of a task, or `undefined`. */
  async checkpointOf(runId: string, taskId: string): Promise<string | undefined> {
    return resolveRef(this.#root, checkpointRef(runId, taskId));
  }

  /**
   * Restores the working tree to the task's checkpoint. Pass `paths` to restore only the files
   * that task changed when other tasks work in the same tree.
   *
   * @throws OrchestratorError `CHECKPOINT_NOT_FOUND`; `PATH_OUTSIDE_PROJECT` for a path outside the repository.
   */
  async rollback(runId: string, taskId: string, options: RollbackOptions = {}): Promise<RollbackResult> {
    const commit = await this.checkpointOf(runId, taskId);
    if (commit === undefined) {
      throw new OrchestratorError({
        code: 'CHECKPOINT_NOT_FOUND',
        message: `No checkpoint for task ${taskId} of run ${runId} (${checkpointRef(runId, taskId)}).`,
        fix: 'List the checkpoints that exist with `qoder-orchestrate checkpoints` (or RollbackManager.listCheckpoints()).',
      });
    }
    return this.restoreState(commit, { ...options, leftoverLabel: { runId, taskId } });
  }

  /**
   * Restores the working tree of `cwd` to a state commit (a checkpoint), keeping what it replaces.
   * The index entries of the restored paths return to what they were in that state.
   */
  async restoreState(stateCommit: string, options: RollbackOptions & { leftoverLabel?: { runId: string; taskId: string } } = {}): Promise<RollbackResult> {
    const cwd = options.cwd ?? this.#root;
    const paths = options.paths === undefined ? undefined : [...options.paths];
    let kept: string | undefined;
    if (options.isKeepingCurrentWork !== false) {
      const current = await this.#stateCommit(cwd, 'qoder-orch: work replaced by a rollback');
      if (current.tree !== (await treeOf(this.#root, stateCommit))) {
        const label = options.leftoverLabel ?? { runId: 'unknown', taskId: 'unknown' };
        this.#sequence += 1;
        kept = leftoverRef(label.runId, label.taskId, `rollback-${Date.now()}-${this.#sequence}`);
        await runGit(this.#root, ['update-ref', '-m', 'qoder-orch: kept before rollback', kept, current.commit]);
      }
    }
    const restoredPaths = await restoreTree(cwd, stateCommit, paths === undefined ? {} : { paths });
    const indexSource = await resolveRef(this.#root, `${stateCommit}^2`);
    if (restoredPaths.length > 0 && (await headCommit(cwd)) !== undefined) {
      const source = indexSource ?? 'HEAD';
      await forPathBatches(restoredPaths, (batch) => tryGit(cwd, ['reset', '-q', source, '--', ...batch], { env: LITERAL_PATHSPECS }));
    }
    if (restoredPaths.length > 0) {
      this.#emit('rollback', { stateCommit, cwd, ...options.leftoverLabel, restoredPaths, ...(kept === undefined ? {} : { leftoverRef: kept }) });
    }
    return kept === undefined ? { restoredPaths } : { restoredPaths, leftoverRef: kept };
  }

  /** Every checkpoint, oldest first. */
  async listCheckpoints(options: { runId?: string } = {}): Promise<CheckpointInfo[]> {
    const prefix = `${PRIVATE_REF_ROOT}/checkpoints/${options.runId === undefined ? '' : `${refComponent(options.runId)}/`}`;
    // One listing for both: the failed runs' marks and the checkpoints.
    const failedPrefix = `${PRIVATE_REF_ROOT}/failed-runs/`;
    const listed = await this.#refs(failedPrefix, prefix);
    const failed = new Set(listed.filter((entry) => entry.ref.startsWith(failedPrefix)).map((entry) => entry.ref.split('/').pop() ?? ''));
    return listed
      .filter((entry) => entry.ref.startsWith(prefix))
      .map((entry) => {
        const [runId = '', taskId = ''] = entry.ref.slice(`${PRIVATE_REF_ROOT}/checkpoints/`.length).split('/');
        return { runId, taskId, ref: entry.ref, commit: entry.commit, createdAt: entry.createdAt, isFailedRun: failed.has(runId) };
      })
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.ref.localeCompare(right.ref));
  }

  /** Marks a run as failed, so its checkpoints and leftovers are kept by default when pruning. */
  async markRunFailed(runId: string): Promise<void> {
    const head = (await headCommit(this.#root)) ?? undefined;
    if (head === undefined) return;
    await runGit(this.#root, ['update-ref', failedRunRef(runId), head]);
  }

  /**
   * Deletes checkpoint, leftover and merge-record refs (and restored user snapshots), per run.
   * Snapshots of user work that was never put back are never pruned.
   */
  async pruneCheckpoints(options: PruneCheckpointsOptions = {}): Promise<{ removedRefs: string[] }> {
    const keepFailed = options.keepFailed ?? true;
    const failed = new Set((await this.#refs(`${PRIVATE_REF_ROOT}/failed-runs/`)).map((entry) => entry.ref.split('/').pop() ?? ''));
    const wanted = options.runId === undefined ? undefined : refComponent(options.runId);
    const removedRefs: string[] = [];
    for (const area of ['checkpoints', 'leftovers', 'merges', 'snapshots-restored', 'failed-runs']) {
      for (const entry of await this.#refs(`${PRIVATE_REF_ROOT}/${area}/`)) {
        const runId = entry.ref.slice(`${PRIVATE_REF_ROOT}/${area}/`.length).split('/')[0] ?? '';
        if (wanted !== undefined && runId !== wanted) continue;
        if (keepFailed && failed.has(runId)) continue;
        await runGit(this.#root, ['update-ref', '-d', entry.ref]);
        removedRefs.push(entry.ref);
      }
    }
    return { removedRefs };
  }

  /**
   * Sets the user's uncommitted work aside before a run: snapshots it (working state and index)
   * under `refs/qoder-orch/snapshots/<run>`, then returns the work tree and index to HEAD.
   * Nothing is removed before the snapshot ref is written and read back.
   */
  async setAsideUserWork(runId: string): Promise<{ ref: string; commit: string } | undefined> {
    const head = await headCommit(this.#root);
    const state = await this.#stateCommit(this.#root, `qoder-orch: uncommitted work set aside for run ${runId}`);
    if (head !== undefined && state.tree === (await treeOf(this.#root, head)) && (await indexTree(this.#root)) === state.tree) return undefined;
    const ref = snapshotRef(runId);
    await runGit(this.#root, ['update-ref', '-m', 'qoder-orch: user work set aside', ref, state.commit]);
    if ((await resolveRef(this.#root, ref)) !== state.commit) {
      throw new OrchestratorError({ code: 'GIT_ERROR', message: `Could not record the uncommitted work at ${ref}; nothing was changed.` });
    }
    await restoreTree(this.#root, head ?? state.commit);
    if (head !== undefined) await runGit(this.#root, ['reset', '-q']);
    return { ref, commit: state.commit };
  }

  /** The run ids whose set-aside user work has not been put back yet. */
  async pendingUserWork(): Promise<string[]> {
    return (await this.#refs(`${PRIVATE_REF_ROOT}/snapshots/`)).map((entry) => entry.ref.slice(`${PRIVATE_REF_ROOT}/snapshots/`.length));
  }

  /**
   * Puts set-aside user work back on top of whatever the run committed (a three-way merge from
   * the commit it was taken on). Work in the tree now (e.g. a failed task's kept files) stays too.
   * On a conflict nothing changes and the work stays at its ref.
   */
  async restoreUserWork(runId: string): Promise<UserWorkRestoreResult> {
    const ref = snapshotRef(runId);
    const snapshot = await resolveRef(this.#root, ref);
    if (snapshot === undefined) return { isRestored: false };
    const originalHead = await resolveRef(this.#root, `${snapshot}^1`);
    const head = await headCommit(this.#root);
    const current = await this.#stateCommit(this.#root, 'qoder-orch: work tree before restoring set-aside work');
    let target: string;
    if (originalHead === undefined || head === undefined || (originalHead === head && current.tree === (await treeOf(this.#root, head)))) {
      target = await treeOf(this.#root, snapshot);
    } else {
      const merged = await mergeTrees(this.#root, originalHead, current.commit, snapshot, this.#identity);
      if (!merged.isClean) {
        this.#emit('warning', { code: 'USER_WORK_CONFLICT', ref, message: `Set-aside work of run ${runId} conflicts with later commits in ${merged.conflicts.slice(0, 5).join(', ')}; it stays at ${ref}.` });
        return { isRestored: false, ref, conflicts: merged.conflicts };
      }
      target = merged.tree;
    }
    await restoreTree(this.#root, target);
    const stagedTree = await resolveRef(this.#root, `${snapshot}^2`);
    let isUnstaged = false;
    if (head !== undefined) {
      if (stagedTree !== undefined && head === originalHead) await runGit(this.#root, ['read-tree', stagedTree]);
      else {
        await runGit(this.#root, ['reset', '-q']);
        isUnstaged = stagedTree !== undefined && (await treeOf(this.#root, stagedTree)) !== (await treeOf(this.#root, originalHead ?? head));
      }
    }
    await runGit(this.#root, ['update-ref', restoredSnapshotRef(runId), snapshot]);
    await runGit(this.#root, ['update-ref', '-d', ref, snapshot]);
    if (isUnstaged) this.#emit('warning', { code: 'USER_WORK_UNSTAGED', message: `Set-aside work of run ${runId} is back in the work tree; its staged changes are unstaged because HEAD moved since.` });
    return { isRestored: true, ...(isUnstaged ? { isUnstaged } : {}) };
  }

  /** The working state of `cwd` (default: the project) as a commit object no ref keeps: for comparing and restoring later. */
  async stateOf(options: { cwd?: string; message?: string } = {}): Promise<{ commit: string; tree: string }> {
    return this.#stateCommit(options.cwd ?? this.#root, options.message ?? 'qoder-orch: working state');
  }

  /** What `stateOf` writes for a checkout known to be exactly `head` (index and files both its tree `tree`), without looking at it. */
  async cleanStateOf(head: string, tree: string, message = 'qoder-orch: working state'): Promise<string> {
    const staged = await commitTree(this.#root, tree, { parents: [head], message: 'qoder-orch: index', identity: this.#identity });
    return commitTree(this.#root, tree, { parents: [head, staged], message, identity: this.#identity });
  }

  /** A commit of the working state of `cwd`: parents HEAD and (when writable) a commit of the index. */
  async #stateCommit(cwd: string, message: string): Promise<{ commit: string; tree: string }> {
    const { head, tree } = await workingState(cwd);
    const staged = head === undefined ? undefined : await indexTree(cwd);
    const parents: string[] = [];
    if (head !== undefined) {
      parents.push(head);
      if (staged !== undefined) parents.push(await commitTree(this.#root, staged, { parents: [head], message: 'qoder-orch: index', identity: this.#identity }));
    }
    const commit = await commitTree(this.#root, tree, { parents, message, identity: this.#identity });
    return { commit, tree };
  }

  /** Tells listeners after the work is done: a listener that throws does not make the operation fail. */
  #emit<Name extends keyof RollbackManagerEvents>(name: Name, ...payload: RollbackManagerEvents[Name]): void {
    try {
      (this.emit as (event: Name, ...args: RollbackManagerEvents[Name]) => boolean)(name, ...payload);
    } catch {
      // The checkpoint or rollback already happened; a listener's failure is its own.
    }
  }

  async #refs(...prefixes: string[]): Promise<Array<{ ref: string; commit: string; createdAt: string }>> {
    const output = await runGit(this.#root, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(creatordate:iso-strict)%00', ...prefixes]);
    const parts = splitNul(output.replace(/\n/g, ''));
    const entries: Array<{ ref: string; commit: string; createdAt: string }> = [];
    for (let index = 0; index + 2 < parts.length; index += 3) entries.push({ ref: parts[index] as string, commit: parts[index + 1] as string, createdAt: parts[index + 2] as string });
    return entries;
  }
}
