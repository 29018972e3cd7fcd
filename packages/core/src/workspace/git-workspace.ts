import { readFile, realpath, rmdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { forPathBatches, headCommit, LITERAL_PATHSPECS, resolveRef, runGit, splitNul, tryGit } from '../git/git-client';
import { gitVersion, MINIMUM_GIT_VERSION } from '../git/git-version';
import { DEFAULT_GIT_IDENTITY, type GitIdentity, identityEnvironment } from '../git/git-identity';
import { mergeCommits, mergeTrees } from '../git/merge-trees';
import { moveHead } from '../git/move-head';
import { checkpointRef, leftoverRef, PRIVATE_DIRECTORY, PRIVATE_REF_ROOT, refComponent, snapshotRef, taskCommitRef } from '../git/ref-names';
import { ensureInitialCommit, ensurePrivateDirectoryExcluded, repositoryPaths } from '../git/repository';
import { RepositoryGuard } from '../git/repository-guard';
import { RollbackManager } from '../git/rollback-manager';
import { acquireRunLock, releaseRunLock } from '../git/run-lock';
import { SerialQueue } from '@qoder-orch/spec';
import type {
  CompletedTask,
  CompleteTaskOptions,
  DiscardTaskOptions,
  InterruptedTask,
  PreparedTask,
  PrepareTaskOptions,
  RepositoryTampering,
  TaskWorkspace,
  WorkspaceBeginOptions,
  WorkspaceBeginResult,
  WorkspaceEndResult,
} from '../git/task-workspace';
import { withTemporaryIndex, workingTree } from '../git/temporary-index';
import { WorktreeManager } from '../git/worktree-manager';
import { changedPathsBetween, commitTree, treeOf } from '../git/working-state';
import type { Task } from '@qoder-orch/spec';
import { endProcessesWorkingIn } from './end-stray-processes';
import { clearMergeIntent, settleMergeIntent, writeMergeIntent } from './merge-intent';
import { attributePaths, type LandedChange } from './task-attribution';

export interface GitWorkspaceOptions {
  /** The project directory: a repository root, or a directory inside one (tasks then work in the same sub-directory). */
  projectDir: string;
  /**
   * `worktree`: every task in its own `git worktree` and branch, merged back one at a time;
   * `shared`: every task in the project directory, checkpointed before and committed after.
   */
  isolation: 'worktree' | 'shared';
  /** Author and committer of every commit the run makes (never read from git config). @default DEFAULT_GIT_IDENTITY */
  identity?: GitIdentity;
  /** Keep a checkpoint ref before every task (`rollback.create_checkpoints`). Rollback needs it. @default true */
  createCheckpoints?: boolean;
  /**
   * With isolation `worktree`: the folder under which task worktrees live, outside the project
   * (`execution.worktree_root`). @default `${XDG_CACHE_HOME:-~/.cache}/qoder-orch/worktrees`
   */
  worktreeRoot?: string;
  /** With isolation `worktree`: link the main checkout's `node_modules`, `.venv` and `venv` folders into each worktree. @default true */
  linkDependencies?: boolean;
}

type TaskPhase = 'running' | 'landed' | 'conflict' | 'failed' | 'done';

interface TaskRecord {
  task: Task;
  runId: string;
  attempt: number;
  phase: TaskPhase;
  /** Order of checkpoints and landed commits, for attributing shared-tree changes. */
  sequence: number;
  /** The state before the task (a commit object): its checkpoint. */
  stateCommit?: string;
  stateTree?: string;
  baseCommit: string;
  worktree?: string;
  branch?: string;
  /** The commit that brought the task's work onto the integration head. */
  landedCommit?: string;
  /** A conflict-resolution task: the files that had markers when it started. */
  conflictFiles?: string[];
}

const gitDirectoryState = ['MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'rebase-merge', 'rebase-apply'];

/**
 * The git workspace: the run's work lands as commits on the branch checked out in the project
 * (the integration head).
 *
 * - `begin` refuses a dirty work tree (`DIRTY_WORKTREE`) unless `allowDirty`; then the user's
 *   uncommitted work (working files, untracked files, the index) is set aside under
 *   `refs/qoder-orch/snapshots/<run>` and the tree returns to HEAD. `end` puts it back on top of
 *   the run's commits (three-way; a conflict leaves it at its ref and says how to restore it).
 *   A crashed run's set-aside work is put back by the next `begin`.
 * - `prepare` takes a checkpoint (`refs/qoder-orch/checkpoints/<run>/<task>`) and, with
 *   isolation `worktree`, creates the task's worktree and branch from the integration head.
 * - `complete` commits the task's work. With `worktree`, a merge queue (one at a time, in
 *   completion order) merges the branch with `--no-ff` semantics computed by
 *   `git merge-tree`, so a conflict never writes markers anywhere; the merge commit is recorded
 *   at `refs/qoder-orch/merges/<run>/<task>` and `verifyAfterMerge` runs on the merged tree.
 *   With `shared`, only the files that task changed are committed.
 * - `discard({ isRollback: true })` restores the task's checkpoint (only its files in a shared
 *   tree) or removes its worktree; work replaced is kept under `refs/qoder-orch/leftovers/`.
 *   A task whose work already landed is reverted.
 *
 * Every git operation on the main repository goes through one queue, so parallel tasks can call
 * `prepare`/`complete`/`discard` at once.
 */
export function createGitWorkspace(options: GitWorkspaceOptions): TaskWorkspace {
  return new GitWorkspace(options);
}

class GitWorkspace implements TaskWorkspace {
  readonly kind = 'git';
  readonly isIsolated: boolean;
  readonly #options: GitWorkspaceOptions;
  readonly #identity: GitIdentity;
  /** Short git operations on the main repository (refs, index, HEAD), one at a time. */
  readonly #queue = new SerialQueue();
  /** Merges and their verification, one at a time in completion order; nothing else moves the integration tree meanwhile. */
  readonly #mergeQueue = new SerialQueue();
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #landed: LandedChange[] = [];
  readonly #warnings: string[] = [];
  #sequence = 0;
  #root = '';
  #commonDir = '';
  /** The project directory relative to the repository root ('' at the root). */
  #subdirectory = '';
  #runId: string | undefined;
  #rollback: RollbackManager | undefined;
  #worktrees: WorktreeManager | undefined;
  /** The repository's configuration and hooks as the run found them. */
  #guard: RepositoryGuard | undefined;
  #onTampering: ((tampering: RepositoryTampering) => void) | undefined;
  /** The run's own record files, repository-relative. */
  #ownPaths = new Set<string>();
  /** Isolation `worktree`: the project checkout as last seen, so that files tasks write there are found. */
  #checkoutBaseline: { commit: string; tree: string } | undefined;
  /** Tasks whose agents ran since the repository was last inspected: who a change found now is attributed to. */
  #activeSince = new Set<string>();

  constructor(options: GitWorkspaceOptions) {
    this.#options = options;
    this.#identity = options.identity ?? DEFAULT_GIT_IDENTITY;
    this.isIsolated = options.isolation === 'worktree';
  }

  begin(options: WorkspaceBeginOptions): Promise<WorkspaceBeginResult> {
    return this.#queue.run(async () => {
      const paths = await repositoryPaths(this.#options.projectDir);
      this.#root = paths.root;
      this.#commonDir = paths.commonDir;
      this.#runId = options.runId;
      const project = await realpath(this.#options.projectDir);
      this.#subdirectory = relative(this.#root, project).split(sep).join('/');
      this.#rollback = new RollbackManager({ projectDir: this.#root, identity: this.#identity });
      // Also in a shared tree: an earlier run's worktrees are cleaned up by begin.
      this.#worktrees = new WorktreeManager({
        projectDir: this.#root,
        identity: this.#identity,
        ...(this.#options.worktreeRoot === undefined ? {} : { worktreeRoot: this.#options.worktreeRoot }),
        ...(this.#options.linkDependencies === undefined ? {} : { linkDependencies: this.#options.linkDependencies }),
      });
      const warnings: string[] = [];
      if (this.#subdirectory !== '') {
        warnings.push(`${project} is inside the repository at ${this.#root}: checkpoints and commits cover the whole repository.`);
      }
      const version = await gitVersion(this.#root);
      if (version.isOk && !version.version.isSupported) {
        throw new OrchestratorError({
          code: 'GIT_ERROR',
          message: `git ${version.version.text} is too old for qoder-orch's merges and rollbacks.`,
          fix: `Upgrade git to ${MINIMUM_GIT_VERSION.join('.')} or later.`,
        });
      }
      await this.#refuseOperationInProgress(paths.gitDir);
      await ensurePrivateDirectoryExcluded(this.#commonDir);
      const lock = await acquireRunLock(this.#commonDir, options.runId);
      if (lock.staleRunId !== undefined && lock.staleRunId !== options.runId) {
        warnings.push(`Run ${lock.staleRunId} stopped without finishing; its leftovers are cleaned up and its work kept under ${PRIVATE_REF_ROOT}/.`);
      }
      try {
        // Configuration and hooks changed during a run that died before its end go back first.
        const crashedGuard = lock.staleRunId === undefined ? undefined : await RepositoryGuard.resumeAfterCrash(this.#commonDir);
        for (const finding of (await crashedGuard?.check()) ?? []) {
          warnings.push(
            `${finding.kind === 'git-hooks' ? 'Git hooks' : 'Git configuration'} changed during run ${lock.staleRunId ?? 'an earlier run'}, which did not finish, ${finding.kind === 'git-hooks' ? 'are' : 'is'} put back: ${describePaths(finding.changes)}.`,
          );
        }
        const baseCommit = await ensureInitialCommit(this.#root, this.#identity);
        const settled = await settleMergeIntent(this.#root, this.#commonDir);
        if (settled !== undefined) warnings.push(settled);
        if (!options.isResume) await this.#restoreCrashedUserWork(warnings);
        const keptLeftovers = await this.#worktrees.cleanLeftovers(options.isResume ? { keepRunId: options.runId } : {});
        if (keptLeftovers.length > 0) warnings.push(`Work left in earlier runs' worktrees is kept at ${keptLeftovers.join(', ')}.`);
        let userSnapshot = await resolveRef(this.#root, snapshotRef(options.runId));
        if (!options.isResume) {
          const dirty = await this.#dirtyPaths();
          if (dirty.length > 0 && !options.allowDirty) {
            throw new OrchestratorError({
              code: 'DIRTY_WORKTREE',
              message: `The work tree has uncommitted changes (${describePaths(dirty)}); a run would mix them with its own work.`,
              fix: 'Commit or stash your changes first, or allow a dirty tree (`allowDirty`, `--allow-dirty`): your changes are then set aside under refs/qoder-orch/snapshots/<run> and put back when the run ends.',
            });
          }
          if (dirty.length > 0) {
            const aside = await this.#rollback.setAsideUserWork(options.runId);
            userSnapshot = aside?.commit;
            if (aside !== undefined) warnings.push(`Your uncommitted changes (${describePaths(dirty)}) are set aside at ${aside.ref} and will be put back when the run ends.`);
          }
        } else if ((await this.#dirtyPaths()).length > 0) {
          warnings.push('Resuming with changes in the work tree: the interrupted tasks are rolled back by recover(); other changes are set aside then.');
        }
        this.#onTampering = options.onTampering;
        this.#ownPaths = new Set((options.ownPaths ?? []).map((path) => (this.#subdirectory === '' ? path : `${this.#subdirectory}/${path}`).split(sep).join('/')));
        if (this.isIsolated) await this.#worktrees?.prepareRepository();
        this.#guard = await RepositoryGuard.take(this.#commonDir);
        if (this.isIsolated) this.#checkoutBaseline = await this.#rollback.stateOf();
        return { baseCommit: (await headCommit(this.#root)) ?? baseCommit, ...(userSnapshot === undefined ? {} : { userSnapshot }), warnings };
      } catch (error) {
        await releaseRunLock(this.#commonDir, options.runId);
        throw error;
      }
    });
  }

  recover(tasks: InterruptedTask[]): Promise<void> {
    return this.#queue.run(async () => {
      const runId = this.#requireRun();
      const rollback = this.#rollback as RollbackManager;
      if (this.isIsolated) {
        // Agents a SIGKILLed run could not stop may still be working in its worktrees.
        const ended = [
          ...endProcessesWorkingIn((this.#worktrees as WorktreeManager).runDirectory(runId)),
          ...endProcessesWorkingIn(join(this.#root, PRIVATE_DIRECTORY, 'worktrees', refComponent(runId))),
        ];
        if (ended.length > 0) this.#warnings.push(`Ended ${ended.length} agent process(es) the interrupted run left working in its worktrees.`);
      }
      const entries: Array<{ taskId: string; checkpoint?: string; order: string }> = [];
      for (const interrupted of tasks) {
        const checkpoint = interrupted.checkpoint ?? (await rollback.checkpointOf(runId, interrupted.taskId));
        const order = checkpoint === undefined ? '' : await checkpointOrder(this.#root, checkpoint);
        entries.push({ taskId: interrupted.taskId, ...(checkpoint === undefined ? {} : { checkpoint }), order });
      }
      // Latest checkpoint first: an earlier task's checkpoint holds the state before both.
      entries.sort((left, right) => right.order.localeCompare(left.order));
      for (const entry of entries) {
        const landed = await resolveRef(this.#root, taskCommitRef(runId, entry.taskId));
        const head = await headCommit(this.#root);
        if (landed !== undefined && head !== undefined && (await tryGit(this.#root, ['merge-base', '--is-ancestor', landed, head])).isOk) {
          await this.#revertLanded(runId, entry.taskId, landed, 'interrupted before it was recorded');
        }
        if (this.isIsolated) {
          await (this.#worktrees as WorktreeManager).remove(runId, entry.taskId, { label: 'interrupted' });
          continue;
        }
        if (entry.checkpoint === undefined) continue;
        const checkpointTree = await treeOf(this.#root, entry.checkpoint);
        const committedSince = await this.#committedSince(entry.checkpoint);
        const changed = (await changedPathsBetween(this.#root, checkpointTree, await workingTree(this.#root))).filter((path) => !committedSince.has(path));
        if (changed.length > 0) await rollback.restoreState(entry.checkpoint, { paths: changed, leftoverLabel: { runId, taskId: entry.taskId } });
      }
      const dirty = await this.#dirtyPaths();
      if (dirty.length > 0) {
        // Whatever is left is not a task's: keep it out of the run's commits, and give it back at the end.
        const label = (await resolveRef(this.#root, snapshotRef(runId))) === undefined ? runId : `${runId}--resume-${Date.now()}`;
        const aside = await rollback.setAsideUserWork(label);
        if (aside !== undefined) this.#warnings.push(`Changes found when resuming (${describePaths(dirty)}) are set aside at ${aside.ref} and put back when the run ends.`);
      }
      if (this.isIsolated) this.#checkoutBaseline = await rollback.stateOf();
    });
  }

  prepare(task: Task, options: PrepareTaskOptions): Promise<PreparedTask> {
    return this.#queue.run(async () => {
      this.#requireRun();
      if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `Task ${task.id} was aborted before it started.` });
      const rollback = this.#rollback as RollbackManager;
      // Before git checks out the new worktree: a filter a running agent configured must not run.
      await this.#checkGitFiles();
      await this.#rebaselineIfIdle();
      this.#activeSince.add(task.id);
      const baseCommit = (await headCommit(this.#root)) as string;
      const sequence = ++this.#sequence;
      const isCheckpointKept = this.#options.createCheckpoints !== false;
      if (this.isIsolated) {
        const worktree = await (this.#worktrees as WorktreeManager).add(options.runId, task.id, baseCommit);
        let conflictFiles: string[] | undefined;
        if (options.mergeBranch !== undefined) {
          const branchTip = await resolveRef(this.#root, options.mergeBranch.startsWith('refs/') ? options.mergeBranch : `refs/heads/${options.mergeBranch}`);
          if (branchTip === undefined) {
            await (this.#worktrees as WorktreeManager).remove(options.runId, task.id);
            throw new OrchestratorError({ code: 'GIT_ERROR', message: `Branch ${options.mergeBranch} to resolve does not exist.`, fix: 'Pass the `branch` reported with the conflict, before the conflicted task is discarded.' });
          }
          // Markers land only in this task's own worktree, for its agent to resolve.
          await tryGit(worktree.path, ['merge', '--no-commit', '--no-ff', '--no-edit', branchTip], { env: identityEnvironment(this.#identity) });
          conflictFiles = splitNul(await runGit(worktree.path, ['diff', '--name-only', '-z', '--diff-filter=U']));
        }
        const ref = checkpointRef(options.runId, task.id);
        if (isCheckpointKept) await runGit(this.#root, ['update-ref', '-m', 'qoder-orch checkpoint', ref, baseCommit]);
        this.#tasks.set(task.id, {
          task,
          runId: options.runId,
          attempt: options.attempt,
          phase: 'running',
          sequence,
          baseCommit,
          worktree: worktree.path,
          branch: worktree.branch,
          stateCommit: baseCommit,
          ...(conflictFiles === undefined ? {} : { conflictFiles }),
        });
        return {
          taskId: task.id,
          cwd: this.#subdirectory === '' ? worktree.path : join(worktree.path, this.#subdirectory),
          checkpoint: baseCommit,
          ...(isCheckpointKept ? { checkpointRef: ref } : {}),
          worktree: worktree.path,
          branch: worktree.branch,
          baseCommit,
          ...(worktree.linkedDependencies.length === 0 ? {} : { linkedDependencies: worktree.linkedDependencies }),
        };
      }
      const checkpoint = await rollback.checkpoint(options.runId, task.id);
      if (!isCheckpointKept) await runGit(this.#root, ['update-ref', '-d', checkpoint.ref]);
      this.#tasks.set(task.id, { task, runId: options.runId, attempt: options.attempt, phase: 'running', sequence, baseCommit, stateCommit: checkpoint.commit, stateTree: checkpoint.tree });
      return {
        taskId: task.id,
        cwd: this.#options.projectDir,
        checkpoint: checkpoint.commit,
        ...(isCheckpointKept ? { checkpointRef: checkpoint.ref } : {}),
        baseCommit,
      };
    });
  }

  async changedFiles(prepared: PreparedTask): Promise<string[]> {
    const record = this.#record(prepared);
    if (record.worktree !== undefined) {
      if (record.phase !== 'running') return [];
      return changedPathsBetween(this.#root, record.baseCommit, await workingTree(record.worktree));
    }
    return this.#queue.run(() => this.#sharedChanges(record));
  }

  async complete(task: Task, prepared: PreparedTask, options: CompleteTaskOptions): Promise<CompletedTask> {
    const record = this.#record(prepared);
    if (record.worktree === undefined) return this.#queue.run(() => this.#completeShared(record, options));
    // Before git reads the task's files (a filter it configured would run): undo what it did to the repository.
    await this.#queue.run(() => this.#inspect(task.id));
    // The task's own commit happens in its worktree, outside the queue: other tasks go on meanwhile.
    const worktree = record.worktree;
    if (record.conflictFiles !== undefined) {
      const withMarkers = await filesWithConflictMarkers(worktree, record.conflictFiles);
      if (withMarkers.length > 0) {
        return { filesChanged: await changedPathsBetween(this.#root, record.baseCommit, await workingTree(worktree)), conflict: { files: withMarkers, hasMarkers: true, ...(record.branch === undefined ? {} : { branch: record.branch }) } };
      }
    }
    const mergedBranchTip = record.conflictFiles === undefined ? undefined : await resolveRef(worktree, 'MERGE_HEAD');
    if (mergedBranchTip !== undefined) await runGit(worktree, ['merge', '--quit']);
    const tree = await workingTree(worktree);
    const worktreeHead = (await headCommit(worktree)) as string;
    if (tree === (await treeOf(this.#root, worktreeHead)) && worktreeHead === record.baseCommit && mergedBranchTip === undefined) {
      return this.#queue.run(async () => {
        record.phase = 'done';
        await (this.#worktrees as WorktreeManager).remove(record.runId, task.id);
        return { filesChanged: [] };
      });
    }
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `The merge of task ${task.id} was aborted before it started.` });
    let taskCommit = worktreeHead;
    if (tree !== (await treeOf(this.#root, worktreeHead)) || mergedBranchTip !== undefined) {
      const parents = mergedBranchTip === undefined ? [worktreeHead] : [worktreeHead, mergedBranchTip];
      taskCommit = await commitTree(this.#root, tree, { parents, message: options.message, identity: this.#identity });
      await runGit(worktree, ['update-ref', '-m', 'qoder-orch: task commit', 'HEAD', taskCommit, worktreeHead]);
      await runGit(worktree, ['reset', '-q']);
    }
    const filesChanged = await changedPathsBetween(this.#root, record.baseCommit, taskCommit);
    return this.#mergeQueue.run(async () => {
      const merged = await this.#queue.run(async (): Promise<CompletedTask> => {
        // Merge drivers are configuration too: none an agent set since may run in the merge.
        await this.#checkGitFiles();
        const head = (await headCommit(this.#root)) as string;
        const merge = await mergeCommits(this.#root, head, taskCommit);
        if (!merge.isClean) {
          record.phase = 'conflict';
          // The work is kept where the user and a resolving task are told to look, whatever
          // later happens to the task's worktree and branch.
          let ref = leftoverRef(record.runId, task.id, 'conflict');
          for (let suffix = 2; (await resolveRef(this.#root, ref)) !== undefined; suffix += 1) ref = `${leftoverRef(record.runId, task.id, 'conflict')}-${suffix}`;
          await runGit(this.#root, ['update-ref', '-m', 'qoder-orch: conflicting work', ref, taskCommit]);
          return {
            taskCommit,
            filesChanged,
            conflict: { files: merge.conflicts, ref, baseCommit: record.baseCommit, ...(record.branch === undefined ? {} : { branch: record.branch }) },
          };
        }
        const message = `${options.message}\n\nqoder-orch: merge of task ${task.id} (run ${record.runId})`;
        const mergeCommit = await commitTree(this.#root, merge.tree, { parents: [head, taskCommit], message, identity: this.#identity });
        await this.#moveIntegrationHead(record, head, mergeCommit, `merge task ${task.id}`);
        record.landedCommit = mergeCommit;
        record.phase = 'landed';
        this.#landed.push({ sequence: ++this.#sequence, taskId: task.id, paths: filesChanged });
        await runGit(this.#root, ['update-ref', taskCommitRef(record.runId, task.id), mergeCommit]);
        return { commit: mergeCommit, taskCommit, filesChanged };
      });
      if (merged.conflict !== undefined) return merged;
      // Verification runs on the merged tree outside the git queue (other tasks keep starting),
      // but inside the merge queue: no other merge or revert moves the tree under it.
      const mergeVerification = options.verifyAfterMerge === undefined ? undefined : await options.verifyAfterMerge(this.#options.projectDir);
      await this.#queue.run(async () => {
        await (this.#worktrees as WorktreeManager).remove(record.runId, task.id);
        // What the checks wrote in the checkout is the run's own; with agents running it cannot be told apart.
        await this.#rebaselineIfIdle();
      });
      return { ...merged, ...(mergeVerification === undefined ? {} : { mergeVerification }) };
    });
  }

  async discard(task: Task, prepared: PreparedTask, options: DiscardTaskOptions): Promise<void> {
    const record = this.#record(prepared);
    if (record.landedCommit !== undefined) {
      if (!options.isRollback) return;
      const landed = record.landedCommit;
      await this.#mergeQueue.run(() => this.#queue.run(() => this.#revertLanded(record.runId, task.id, landed, options.reason)));
      delete record.landedCommit;
      record.phase = 'failed';
      return;
    }
    return this.#queue.run(async () => {
      await this.#inspect(task.id);
      const paths = record.worktree === undefined && options.isRollback ? await this.#sharedChanges(record) : [];
      record.phase = 'failed';
      if (!options.isRollback) return;
      if (record.worktree !== undefined) {
        await (this.#worktrees as WorktreeManager).remove(record.runId, task.id, { label: `rollback-attempt-${record.attempt}` });
        record.phase = 'done';
        return;
      }
      if (record.stateCommit === undefined) return;
      if (paths.length > 0) {
        await (this.#rollback as RollbackManager).restoreState(record.stateCommit, { paths, leftoverLabel: { runId: record.runId, taskId: task.id } });
      }
      record.phase = 'done';
    });
  }

  async end(options: { isSuccess: boolean }): Promise<WorkspaceEndResult> {
    await this.#mergeQueue.onIdle();
    return this.#queue.run(async () => {
      const runId = this.#requireRun();
      const rollback = this.#rollback as RollbackManager;
      await this.#inspect(undefined);
      const warnings = [...this.#warnings];
      const keptRefs: string[] = [];
      const keptWorktrees: string[] = [];
      for (const [taskId, record] of this.#tasks) {
        if (record.worktree === undefined || record.phase === 'done' || record.phase === 'landed') continue;
        if (options.isSuccess) {
          const removed = await (this.#worktrees as WorktreeManager).remove(record.runId, taskId, { label: 'end-of-run' });
          if (removed.leftoverRef !== undefined) keptRefs.push(removed.leftoverRef);
        } else keptWorktrees.push(record.worktree);
      }
      if (options.isSuccess) {
        for (const checkpoint of await rollback.listCheckpoints({ runId })) await runGit(this.#root, ['update-ref', '-d', checkpoint.ref]);
      } else {
        await rollback.markRunFailed(runId);
        if (keptWorktrees.length > 0) {
          warnings.push(
            `Worktrees of failed tasks are kept for inspection: ${keptWorktrees.join(', ')}. The next run removes them (keeping their work under ${PRIVATE_REF_ROOT}/leftovers/); list or remove them now with \`qoder-orchestrate checkpoints worktrees\` and \`qoder-orchestrate checkpoints prune --run ${runId}\`.`,
          );
        }
      }
      const leftInTree = await this.#dirtyPaths();
      if (leftInTree.length > 0) {
        warnings.push(
          this.isIsolated
            ? `Changes made in the work tree while no task was running are left there: ${describePaths(leftInTree)} (written by the run's checks, or by hand).`
            : `Changes no task committed are left in the work tree: ${describePaths(leftInTree)} (work of tasks discarded without rollback).`,
        );
      }
      for (const pending of await rollback.pendingUserWork()) {
        if (pending !== refComponent(runId) && !pending.startsWith(`${refComponent(runId)}--resume-`)) continue;
        const restored = await rollback.restoreUserWork(pending);
        if (!restored.isRestored && restored.ref !== undefined) {
          keptRefs.push(restored.ref);
          warnings.push(
            `Your set-aside changes conflict with the run's commits in ${describePaths(restored.conflicts ?? [])}; they are kept at ${restored.ref}. Restore them with \`git checkout ${restored.ref} -- .\` (or \`git diff HEAD ${restored.ref}\` to review).`,
          );
        } else if (restored.isUnstaged === true) warnings.push('Your set-aside changes are back in the work tree; staged changes are now unstaged because the run committed on top of them.');
      }
      await clearMergeIntent(this.#commonDir);
      await this.#guard?.release();
      await releaseRunLock(this.#commonDir, runId);
      // The run's worktree folder, once empty (rmdir refuses a folder that still holds kept worktrees).
      await rmdir((this.#worktrees as WorktreeManager).runDirectory(runId)).catch(() => undefined);
      return { warnings, keptRefs, keptWorktrees };
    });
  }

  async commitFiles(paths: readonly string[], message: string): Promise<string | undefined> {
    await this.#mergeQueue.onIdle();
    return this.#queue.run(async () => {
      const head = (await headCommit(this.#root)) as string;
      const tree = await withTemporaryIndex(
        this.#root,
        async (env) => {
          await runGit(this.#root, ['add', '-A', '--', ...paths], { env: { ...env, ...LITERAL_PATHSPECS } });
          return (await runGit(this.#root, ['write-tree'], { env })).trim();
        },
        { fromTree: head },
      );
      if (tree === (await treeOf(this.#root, head))) return undefined;
      const commit = await commitTree(this.#root, tree, { parents: [head], message, identity: this.#identity });
      const moved = await tryGit(this.#root, ['update-ref', '-m', 'qoder-orch: run records', 'HEAD', commit, head]);
      if (!moved.isOk) {
        throw new OrchestratorError({ code: 'GIT_ERROR', message: `Could not commit ${paths.join(', ')}: HEAD moved during the run (${moved.message}).`, fix: 'Do not commit or switch branches in the project while a run is in progress.' });
      }
      await tryGit(this.#root, ['reset', '-q', '--', ...paths], { env: LITERAL_PATHSPECS });
      return commit;
    });
  }

  async #completeShared(record: TaskRecord, options: CompleteTaskOptions): Promise<CompletedTask> {
    await this.#inspect(record.task.id);
    const paths = await this.#sharedChanges(record);
    if (paths.length === 0) {
      record.phase = 'done';
      return { filesChanged: [] };
    }
    const head = (await headCommit(this.#root)) as string;
    const tree = await withTemporaryIndex(
      this.#root,
      async (env) => {
        await forPathBatches(paths, (batch) => runGit(this.#root, ['add', '-A', '--', ...batch], { env: { ...env, ...LITERAL_PATHSPECS } }));
        return (await runGit(this.#root, ['write-tree'], { env })).trim();
      },
      { fromTree: head },
    );
    const message = `${options.message}\n\nqoder-orch: task ${record.task.id} (run ${record.runId})`;
    const commit = await commitTree(this.#root, tree, { parents: [head], message, identity: this.#identity });
    await writeMergeIntent(this.#commonDir, { runId: record.runId, taskId: record.task.id, from: head, to: commit });
    const moved = await tryGit(this.#root, ['update-ref', '-m', `qoder-orch: task ${record.task.id}`, 'HEAD', commit, head]);
    await clearMergeIntent(this.#commonDir);
    if (!moved.isOk) {
      throw new OrchestratorError({
        code: 'GIT_ERROR',
        message: `Could not commit task ${record.task.id}: HEAD moved during the run (${moved.message}).`,
        fix: 'Do not commit or switch branches in the project while a run is in progress.',
      });
    }
    // The index follows the new commit for these paths (the files themselves are already right).
    await forPathBatches(paths, (batch) => tryGit(this.#root, ['reset', '-q', '--', ...batch], { env: LITERAL_PATHSPECS }));
    record.landedCommit = commit;
    record.phase = 'landed';
    this.#landed.push({ sequence: ++this.#sequence, taskId: record.task.id, paths });
    await runGit(this.#root, ['update-ref', taskCommitRef(record.runId, record.task.id), commit]);
    return { commit, filesChanged: paths };
  }

  /** The files a task changed in the shared tree (see `attributePaths`). */
  async #sharedChanges(record: TaskRecord): Promise<string[]> {
    if (record.stateTree === undefined || record.phase !== 'running') return [];
    const changed = await changedPathsBetween(this.#root, record.stateTree, await workingTree(this.#root));
    const others = [...this.#tasks.values()].filter((other) => other !== record && other.phase === 'running').map((other) => other.task);
    return attributePaths(changed, { taskId: record.task.id, sequence: record.sequence }, this.#landed, others);
  }

  /** Undoes a commit that landed on the integration head: drops it if it is the tip, otherwise adds a revert commit. */
  async #revertLanded(runId: string, taskId: string, landed: string, reason: string): Promise<void> {
    const head = (await headCommit(this.#root)) as string;
    const parent = (await resolveRef(this.#root, `${landed}^1`)) as string;
    const record = this.#tasks.get(taskId) ?? { runId, task: { id: taskId } as Task };
    if (head === landed) {
      await this.#moveIntegrationHead(record, head, parent, `roll back task ${taskId}`);
    } else {
      const merged = await mergeTrees(this.#root, landed, head, parent, this.#identity);
      if (!merged.isClean) {
        throw new OrchestratorError({
          code: 'MERGE_CONFLICT',
          message: `Task ${taskId} cannot be rolled back: later work changed the same lines in ${describePaths(merged.conflicts)}. Nothing was changed.`,
          fix: `Revert it by hand with \`git revert -m 1 ${landed.slice(0, 12)}\` and resolve the conflicts.`,
        });
      }
      const revert = await commitTree(this.#root, merged.tree, { parents: [head], message: `Revert task ${taskId}: ${reason}\n\nqoder-orch: reverts ${landed}`, identity: this.#identity });
      await this.#moveIntegrationHead(record, head, revert, `revert task ${taskId}`);
    }
    await runGit(this.#root, ['update-ref', '-d', taskCommitRef(runId, taskId)]);
  }

  async #moveIntegrationHead(record: { runId: string; task: Pick<Task, 'id'> }, from: string, to: string, reason: string): Promise<void> {
    // Files agents wrote in the checkout are found (and taken out) before the move, which would refuse to overwrite them;
    // the move writes files, so no filter an agent configured may run in it.
    await this.#checkGitFiles();
    await this.#checkCheckout(record.task.id);
    await writeMergeIntent(this.#commonDir, { runId: record.runId, taskId: record.task.id, from, to });
    try {
      await moveHead(this.#root, from, to, reason);
    } finally {
      await clearMergeIntent(this.#commonDir);
      if (this.#checkoutBaseline !== undefined) this.#checkoutBaseline = await (this.#rollback as RollbackManager).stateOf();
    }
  }

  /**
   * Looks at the repository after a task's agent stopped (or at the end): undoes changes to the
   * git directory's configuration and hooks, and (isolation `worktree`) takes files written in
   * the project checkout out of it. Each finding goes to `onTampering` and into the end warnings,
   * attributed to the tasks that ran since the previous look. Runs inside the git queue.
   */
  async #inspect(endingTaskId: string | undefined): Promise<void> {
    await this.#checkGitFiles();
    await this.#checkCheckout(endingTaskId);
  }

  async #checkGitFiles(): Promise<void> {
    if (this.#guard === undefined) return;
    for (const finding of await this.#guard.check()) {
      this.#reportTampering({ kind: finding.kind, taskIds: [...this.#activeSince].sort(), changes: finding.changes });
    }
  }

  /** Isolation `worktree`: files changed in the project checkout since it was last seen, set aside under a leftover ref and put back. */
  async #checkCheckout(endingTaskId: string | undefined): Promise<void> {
    const baseline = this.#checkoutBaseline;
    if (baseline !== undefined && this.#activeSince.size > 0) {
      const rollback = this.#rollback as RollbackManager;
      const current = await workingTree(this.#root);
      const changed = current === baseline.tree ? [] : (await changedPathsBetween(this.#root, baseline.tree, current)).filter((path) => !this.#ownPaths.has(path));
      if (changed.length > 0) {
        const restored = await rollback.restoreState(baseline.commit, { paths: changed, leftoverLabel: { runId: this.#requireRun(), taskId: 'outside-worktree' } });
        this.#reportTampering({ kind: 'outside-worktree', taskIds: [...this.#activeSince].sort(), changes: changed, ...(restored.leftoverRef === undefined ? {} : { keptRef: restored.leftoverRef }) });
      }
      if (current !== baseline.tree) this.#checkoutBaseline = await rollback.stateOf();
    }
    this.#activeSince = new Set([...this.#tasks.values()].filter((record) => record.phase === 'running' && record.task.id !== endingTaskId).map((record) => record.task.id));
  }

  /** With no agent running, whatever is in the checkout now is the run's (its checks, its records): the new baseline. */
  async #rebaselineIfIdle(): Promise<void> {
    if (this.#checkoutBaseline === undefined) return;
    if ([...this.#tasks.values()].some((record) => record.phase === 'running')) return;
    await this.#checkCheckout(undefined);
    const baseline = this.#checkoutBaseline as { commit: string; tree: string };
    if ((await workingTree(this.#root)) !== baseline.tree) this.#checkoutBaseline = await (this.#rollback as RollbackManager).stateOf();
  }

  #reportTampering(tampering: Omit<RepositoryTampering, 'message'>): void {
    const by = tampering.taskIds.length === 0 ? 'while no task was running' : `while task${tampering.taskIds.length > 1 ? 's' : ''} ${tampering.taskIds.join(', ')} ran`;
    const message =
      tampering.kind === 'outside-worktree'
        ? `Files were written in the project checkout, outside the task worktrees, ${by}: ${describePaths(tampering.changes)}. They were taken out of the checkout${tampering.keptRef === undefined ? '' : ` and kept at ${tampering.keptRef} (\`git checkout ${tampering.keptRef} -- <path>\` brings one back)`}.`
        : tampering.kind === 'git-hooks'
          ? `Git hooks were planted in the repository ${by}: ${describePaths(tampering.changes)}. They were removed; the hooks are as before the run.`
          : `The repository's git configuration was changed ${by}: ${describePaths(tampering.changes)}. It was restored to what it was before the run.`;
    if (this.#onTampering === undefined) this.#warnings.push(message);
    else this.#onTampering({ ...tampering, message });
  }

  /** Paths committed on the integration head since a checkpoint was taken. */
  async #committedSince(checkpoint: string): Promise<Set<string>> {
    const parent = await resolveRef(this.#root, `${checkpoint}^1`);
    const head = await headCommit(this.#root);
    if (parent === undefined || head === undefined || parent === head) return new Set();
    return new Set(await changedPathsBetween(this.#root, parent, head));
  }

  async #dirtyPaths(): Promise<string[]> {
    const output = await runGit(this.#root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none']);
    return splitNul(output)
      .filter((entry) => entry.length > 3 && entry[2] === ' ')
      .map((entry) => entry.slice(3));
  }

  async #refuseOperationInProgress(gitDir: string): Promise<void> {
    const { stat } = await import('node:fs/promises');
    for (const name of gitDirectoryState) {
      if (await stat(join(gitDir, name)).then(() => true, () => false)) {
        throw new OrchestratorError({
          code: 'DIRTY_WORKTREE',
          message: `A git ${name.startsWith('rebase') ? 'rebase' : name.replace('_HEAD', '').toLowerCase().replace('_', '-')} is in progress in the project.`,
          fix: 'Finish it (commit) or abort it (`git merge --abort`, `git rebase --abort`, `git cherry-pick --abort`) before starting a run.',
        });
      }
    }
  }

  async #restoreCrashedUserWork(warnings: string[]): Promise<void> {
    const rollback = this.#rollback as RollbackManager;
    for (const pending of await rollback.pendingUserWork()) {
      if ((await this.#dirtyPaths()).length > 0) {
        warnings.push(`Uncommitted work set aside by an earlier run is still at ${snapshotRef(pending)}; restore it with \`git checkout ${snapshotRef(pending)} -- .\`.`);
        continue;
      }
      const restored = await rollback.restoreUserWork(pending);
      warnings.push(
        restored.isRestored
          ? `Uncommitted work set aside by run ${pending}, which did not finish, is back in the work tree.`
          : `Uncommitted work set aside by run ${pending} conflicts with later commits; it is kept at ${snapshotRef(pending)}.`,
      );
    }
  }

  #record(prepared: PreparedTask): TaskRecord {
    const record = this.#tasks.get(prepared.taskId);
    if (record === undefined) {
      throw new OrchestratorError({ code: 'GIT_ERROR', message: `Task ${prepared.taskId} was not prepared by this workspace.`, fix: 'Call prepare() for a task before complete(), discard() or changedFiles().' });
    }
    return record;
  }

  #requireRun(): string {
    if (this.#runId === undefined) {
      throw new OrchestratorError({ code: 'GIT_ERROR', message: 'The workspace has not begun a run.', fix: 'Call begin({ runId, … }) first.' });
    }
    return this.#runId;
  }
}

/** Files among `paths` in `cwd` that still hold a conflict marker line (`<<<<<<< `, `=======`, `>>>>>>> `). */
async function filesWithConflictMarkers(cwd: string, paths: readonly string[]): Promise<string[]> {
  const marked: string[] = [];
  for (const path of paths) {
    const content = await readFile(join(cwd, path), 'utf8').catch(() => '');
    if (/^(<{7} |>{7} |={7}$)/m.test(content)) marked.push(path);
  }
  return marked;
}

function describePaths(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

/** A sortable creation mark of a checkpoint (written in its message), falling back to its commit time. */
async function checkpointOrder(root: string, checkpoint: string): Promise<string> {
  const message = await runGit(root, ['show', '-s', '--format=%ct%n%B', checkpoint]);
  const marked = /^at: (\d+)\.(\d+)$/m.exec(message);
  if (marked) return `${marked[1]?.padStart(15, '0')}.${marked[2]}`;
  return `${(message.split('\n')[0] ?? '0').padStart(12, '0')}000.000000`;
}
