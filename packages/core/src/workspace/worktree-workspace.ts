import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { resolveRef, runGit, splitNul, tryGit } from '../git/git-client';
import { identityEnvironment } from '../git/git-identity';
import { checkpointRef, PRIVATE_DIRECTORY, refComponent } from '../git/ref-names';
import type { CompletedTask, CompleteTaskOptions, DiscardTaskOptions, InterruptedTask, PreparedTask, PrepareTaskOptions, TaskWorkspace, WorkspaceBeginOptions, WorkspaceBeginResult, WorkspaceEndResult } from '../git/task-workspace';
import { stageWorkingState, workingState, workingTree } from '../git/temporary-index';
import { changedPathsBetween, commitTree } from '../git/working-state';
import { commitWorkingState } from '../git/commit-working-state';
import type { Task } from '@qoder-orch/spec';
import { endProcessesWorkingIn } from './end-stray-processes';
import { poolSlotIndex } from '../git/worktree-pool';
import { GitRun } from './git-run';
import { checkOutForInspection } from './inspection-checkout';
import { MERGE_CHECK_ID } from './check-checkout';
import { MergeBatches } from './merge-batches';
import type { GitWorkspaceOptions } from './git-workspace-options';
import type { TaskRecord } from './task-record';

/**
 * Isolation `worktree`: every task works in its own `git worktree` and branch, created from the
 * integration head; its work comes back through the merge queue (one merge at a time, in
 * completion order), computed by `git merge-tree` so that a conflict writes markers nowhere.
 * Files written in the project checkout while agents run are taken out of it.
 */
export class WorktreeWorkspace implements TaskWorkspace {
  readonly kind = 'git';
  readonly isIsolated = true;
  readonly #run: GitRun;
  readonly #merges: MergeBatches;

  constructor(options: GitWorkspaceOptions) {
    this.#run = new GitRun(options);
    this.#merges = new MergeBatches(this.#run);
  }

  begin(options: WorkspaceBeginOptions): Promise<WorkspaceBeginResult> {
    const run = this.#run;
    return run.queue.run(() =>
      run.begin(options, async () => {
        await run.worktrees.prepareRepository();
        await run.provisioner.prepareRepository(run.commonDir);
        await run.watch.watchCheckout();
      }),
    );
  }

  recover(tasks: InterruptedTask[]): Promise<void> {
    const run = this.#run;
    return run.queue.run(async () => {
      const runId = run.requireRun();
      // Agents a SIGKILLed run could not stop may still be working in its worktrees (pool slots holding its tasks included).
      const held = (await run.worktrees.list()).filter((worktree) => worktree.isPoolSlot === true && worktree.runId === refComponent(runId));
      const slots = held.map((worktree) => worktree.path);
      const folders = [run.worktrees.runDirectory(runId), join(run.root, PRIVATE_DIRECTORY, 'worktrees', refComponent(runId)), ...slots];
      const ended = folders.flatMap((folder) => endProcessesWorkingIn(folder));
      if (ended.length > 0) run.warnings.push(`Ended ${ended.length} agent process(es) the interrupted run left working in its worktrees.`);
      await run.recoverTasks(tasks, async (entry) => {
        await run.worktrees.remove(runId, entry.taskId, { label: 'interrupted' });
      });
      // A merge check the kill interrupted: its slot goes back to the pool (what its checks wrote kept, as any slot's).
      if (held.some((worktree) => worktree.taskId === refComponent(MERGE_CHECK_ID))) await run.worktrees.remove(runId, MERGE_CHECK_ID, { label: 'interrupted' });
      await run.watch.watchCheckout();
    });
  }

  /**
   * Only the start of a task goes through the git queue (the integration head it starts from,
   * the tampering watch); its worktree is reset in its own slot, beside other tasks' work, then
   * provisioned outside the queue too: once per slot, reused by the slot's next tasks while it
   * holds what is wanted (`WorktreeProvisioner`).
   */
  async prepare(task: Task, options: PrepareTaskOptions): Promise<PreparedTask> {
    const run = this.#run;
    // With agents running there is no rebaseline to make (`rebaselineIfIdle`), so nothing of the start needs the git queue:
    // it does not wait behind a move of the head (it starts from the head before it). Otherwise it takes the queue.
    const start = run.runningTaskIds().length > 0 ? await run.startTask(task, options, { isOutsideQueue: true }) : await run.queue.run(() => run.startTask(task, options));
    let prepared: PreparedTask;
    try {
      prepared = await this.#prepareWorktree(task, options, start);
    } finally {
      run.starting.delete(task.id);
    }
    // Ports and setup belong to the pool slot the worktree is (distinct among the tasks holding one): its provisioning is reused as it is.
    const slot = poolSlotIndex(prepared.worktree as string) ?? options.slot ?? 0;
    try {
      const provisioned = await run.provisioner.provision(prepared.worktree as string, { slot, taskId: task.id, ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }) });
      return { ...prepared, environment: provisioned.environment, ...(provisioned.linked.length === 0 ? {} : { linkedDependencies: provisioned.linked }) };
    } catch (error) {
      // A worktree that is not ready is not used: it goes (its work, if any, kept), the task fails.
      await run.queue.run(async () => {
        await run.worktrees.remove(options.runId, task.id, { label: 'provision-failed' });
        run.record(prepared).phase = 'done';
      });
      throw error;
    }
  }

  async #prepareWorktree(task: Task, options: PrepareTaskOptions, start: { baseCommit: string; sequence: number; isCheckpointKept: boolean }): Promise<PreparedTask> {
    const run = this.#run;
    const { baseCommit, sequence, isCheckpointKept } = start;
    const ref = checkpointRef(options.runId, task.id);
    // The checkpoint is a ref of its own (written beside other tasks' refs, never the integration
    // head's; with those of tasks starting meanwhile), made while the slot is reset: both settle
    // before either's failure is thrown.
    const [added, checkpointed] = await Promise.allSettled([run.worktrees.add(options.runId, task.id, baseCommit), isCheckpointKept ? run.checkpointRefs.update(run.root, ref, baseCommit) : Promise.resolve()]);
    if (added.status === 'rejected') throw added.reason;
    const worktree = added.value;
    if (checkpointed.status === 'rejected') {
      await run.worktrees.remove(options.runId, task.id, { label: 'checkpoint-failed' });
      throw checkpointed.reason;
    }
    let conflictFiles: string[] | undefined;
    if (options.mergeBranch !== undefined) {
      const branchTip = await resolveRef(run.root, options.mergeBranch.startsWith('refs/') ? options.mergeBranch : `refs/heads/${options.mergeBranch}`);
      if (branchTip === undefined) {
        await run.worktrees.remove(options.runId, task.id);
        throw new OrchestratorError({ code: 'GIT_ERROR', message: `Branch ${options.mergeBranch} to resolve does not exist.`, fix: 'Pass the `branch` reported with the conflict, before the conflicted task is discarded.' });
      }
      // Markers land only in this task's own worktree, for its agent to resolve.
      await tryGit(worktree.path, ['merge', '--no-commit', '--no-ff', '--no-edit', branchTip], { env: identityEnvironment(run.identity) });
      conflictFiles = splitNul(await runGit(worktree.path, ['diff', '--name-only', '-z', '--diff-filter=U']));
    }
    run.tasks.set(task.id, {
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
      cwd: run.subdirectory === '' ? worktree.path : join(worktree.path, run.subdirectory),
      checkpoint: baseCommit,
      ...(isCheckpointKept ? { checkpointRef: ref } : {}),
      worktree: worktree.path,
      branch: worktree.branch,
      baseCommit,
    };
  }

  async changedFiles(prepared: PreparedTask): Promise<string[]> {
    const record = this.#run.record(prepared);
    if (record.phase !== 'running' || record.worktree === undefined) return [];
    const state = await workingState(record.worktree);
    // Nothing changed since the task's start: no tree to compare.
    if (state.head === record.baseCommit && state.changedPaths.length === 0) return [];
    return changedPathsBetween(this.#run.root, record.baseCommit, state.tree);
  }

  async complete(task: Task, prepared: PreparedTask, options: CompleteTaskOptions): Promise<CompletedTask> {
    const run = this.#run;
    const record = run.record(prepared);
    // Before git reads the task's files (a filter it configured would run): undo what it did to the repository.
    await run.watch.checkGitFiles();
    // Files the agent wrote in the project checkout are found by the look the move of the head makes before it merges
    // (it would refuse to overwrite them): one full look at the checkout per merge instead of two. A task whose work
    // is not merged (nothing changed, a conflict, a failure) gets a look of its own once that is known.
    const completed = await settled(this.#commitAndMerge(task, record, options));
    const looked = run.watch.isUnseenSinceRunning(task.id) ? await settled(run.watch.inspectAfter(task.id, (look) => run.queue.run(look))) : undefined;
    if ('error' in completed) throw completed.error;
    if (looked !== undefined && 'error' in looked) throw looked.error;
    return completed.value;
  }

  /** `complete` once the repository's configuration is checked: the task's commit in its worktree (outside the queue: other tasks go on meanwhile), then its merge. */
  async #commitAndMerge(task: Task, record: TaskRecord, options: CompleteTaskOptions): Promise<CompletedTask> {
    const run = this.#run;
    const worktree = record.worktree as string;
    if (record.conflictFiles !== undefined) {
      const withMarkers = await filesWithConflictMarkers(worktree, record.conflictFiles);
      if (withMarkers.length > 0) {
        return { filesChanged: await changedPathsBetween(run.root, record.baseCommit, await workingTree(worktree)), conflict: { files: withMarkers, hasMarkers: true, ...(record.branch === undefined ? {} : { branch: record.branch }) } };
      }
    }
    const mergedBranchTip = record.conflictFiles === undefined ? undefined : await resolveRef(worktree, 'MERGE_HEAD');
    if (mergedBranchTip !== undefined) await runGit(worktree, ['merge', '--quit']);
    // The agent is done with its worktree: a plain task's work is committed there on its branch (`add -A`, `commit`).
    const inWorktree = mergedBranchTip === undefined && record.branch !== undefined ? await commitWorkingState(worktree, { branch: record.branch, message: options.message, identity: run.identity }) : undefined;
    const committed =
      inWorktree === undefined ? await this.#commitTree(record, options, mergedBranchTip) : inWorktree.isChanged ? { taskCommit: inWorktree.commit } : inWorktree.head === record.baseCommit ? undefined : { taskCommit: inWorktree.head };
    if (committed === undefined) {
      record.phase = 'done';
      await run.worktrees.remove(record.runId, task.id, { committed: record.baseCommit });
      return { filesChanged: [] };
    }
    const { taskCommit } = committed;
    // Aborted once committed: the branch keeps the commit (the run's end keeps it under a leftover ref), nothing is merged.
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `The merge of task ${task.id} was aborted before it started.` });
    // The task's change, asked beside the slot's release (a commit's difference is its tree's: the evidence reuses it).
    const changes = changedPathsBetween(run.root, record.baseCommit, taskCommit);
    // Awaited after the release: not an unhandled rejection meanwhile.
    changes.catch(() => undefined);
    // The agent's part is over: the worktree goes back to the pool now, in its own slot, outside both queues
    // (the merge works on the commit, which the task's branch holds until it lands), and the next task may start.
    record.phase = 'merging';
    await run.worktrees.remove(record.runId, task.id, { committed: taskCommit, isMergePending: true });
    options.onCommitted?.({ taskCommit });
    // In the merge queue now, in completion order; it merges once its changes are read.
    return this.#merges.merge({ record, taskCommit, filesChanged: changes, message: options.message, ...(options.verifyAfterMerge === undefined ? {} : { verifyAfterMerge: options.verifyAfterMerge }) });
  }

  /**
   * The task's commit written from its worktree's index (`add -A`, `write-tree`, `commit-tree`; for a conflict
   * resolution, with the merged branch as second parent): what `commitWorkingState` does in one process less,
   * when it cannot. `undefined` when nothing changed since the task's base.
   */
  async #commitTree(record: TaskRecord, options: CompleteTaskOptions, mergedBranchTip: string | undefined): Promise<{ taskCommit: string } | undefined> {
    const run = this.#run;
    const worktree = record.worktree as string;
    // The agent is done with its worktree: its own index takes the state (what `git reset` after the commit would leave).
    const { tree, head, headTree } = await stageWorkingState(worktree);
    const worktreeHead = head as string;
    const isChanged = tree !== headTree;
    if (!isChanged && worktreeHead === record.baseCommit && mergedBranchTip === undefined) return undefined;
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `The merge of task ${record.task.id} was aborted before it started.` });
    const parents = mergedBranchTip === undefined ? [worktreeHead] : [worktreeHead, mergedBranchTip];
    return { taskCommit: isChanged || mergedBranchTip !== undefined ? await commitTree(run.root, tree, { parents, message: options.message, identity: run.identity }) : worktreeHead };
  }

  async discard(task: Task, prepared: PreparedTask, options: DiscardTaskOptions): Promise<void> {
    const run = this.#run;
    const record = run.record(prepared);
    if (record.landedCommit !== undefined) return run.discardLanded(record, options);
    await run.queue.run(async () => {
      await run.watch.inspect(task.id);
      record.phase = 'failed';
    });
    if (!options.isRollback) return;
    await run.worktrees.remove(record.runId, task.id, { label: `rollback-attempt-${record.attempt}` });
    record.phase = 'done';
  }

  commitFiles(paths: readonly string[], message: string): Promise<string | undefined> {
    return this.#run.commitFiles(paths, message);
  }

  end(options: { isSuccess: boolean }): Promise<WorkspaceEndResult> {
    const run = this.#run;
    return run.end(options, {
      settleTasks: async (isSuccess) => {
        const keptRefs: string[] = [];
        const keptWorktrees: string[] = [];
        for (const [taskId, record] of run.tasks) {
          if (record.worktree === undefined || record.phase === 'done' || record.phase === 'landed') continue;
          if (isSuccess) {
            const removed = await run.worktrees.remove(record.runId, taskId, { label: 'end-of-run' });
            if (removed.leftoverRef !== undefined) keptRefs.push(removed.leftoverRef);
          } else {
            // Kept for inspection out of the pool, at `<run>/<task>`: the next run's tasks get other slots.
            const kept =
              (await run.worktrees.retire(record.runId, taskId)) ?? (record.phase === 'merging' || record.phase === 'conflict' ? await checkOutForInspection(run.root, run.worktrees.pathOf(record.runId, taskId), record.branch) : undefined);
            if (kept !== undefined) keptWorktrees.push(kept);
          }
        }
        await run.worktrees.settleBranches();
        return { keptRefs, keptWorktrees };
      },
      leftInTreeWarning: (described) => `Changes made in the work tree while no task was running are left there: ${described} (written by the run's checks, or by hand).`,
    });
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

/** A promise's outcome as a value (its value, or its failure): awaited without an unhandled rejection meanwhile. */
function settled<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}
