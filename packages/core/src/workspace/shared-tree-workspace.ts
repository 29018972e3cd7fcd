import { OrchestratorError } from '@qoder-orch/spec';
import { forPathBatches, headCommit, LITERAL_PATHSPECS, runGit, tryGit } from '../git/git-client';
import { taskCommitRef } from '../git/ref-names';
import type { CompletedTask, CompleteTaskOptions, DiscardTaskOptions, InterruptedTask, PreparedTask, PrepareTaskOptions, TaskWorkspace, WorkspaceBeginOptions, WorkspaceBeginResult, WorkspaceEndResult } from '../git/task-workspace';
import { withTemporaryIndex, workingTree } from '../git/temporary-index';
import { changedPathsBetween, commitTree, treeOf } from '../git/working-state';
import type { Task } from '@qoder-orch/spec';
import { GitRun } from './git-run';
import type { GitWorkspaceOptions } from './git-workspace-options';
import { clearMergeIntent, writeMergeIntent } from './merge-intent';
import { committedSince } from './repository-state';
import { attributePaths } from './task-attribution';
import type { TaskRecord } from './task-record';

/**
 * Isolation `shared`: every task works in the project directory itself. A checkpoint of the
 * whole working state is taken before each task; its work is committed (only the files that
 * task changed) straight onto the integration head, and a rollback restores only its files.
 */
export class SharedTreeWorkspace implements TaskWorkspace {
  readonly kind = 'git';
  readonly isIsolated = false;
  readonly #run: GitRun;

  constructor(options: GitWorkspaceOptions) {
    this.#run = new GitRun(options);
  }

  begin(options: WorkspaceBeginOptions): Promise<WorkspaceBeginResult> {
    return this.#run.queue.run(() => this.#run.begin(options));
  }

  recover(tasks: InterruptedTask[]): Promise<void> {
    const run = this.#run;
    return run.queue.run(() =>
      run.recoverTasks(tasks, async (entry) => {
        if (entry.checkpoint === undefined) return;
        const checkpointTree = await treeOf(run.root, entry.checkpoint);
        const committed = await committedSince(run.root, entry.checkpoint);
        const changed = (await changedPathsBetween(run.root, checkpointTree, await workingTree(run.root))).filter((path) => !committed.has(path));
        if (changed.length > 0) await run.rollback.restoreState(entry.checkpoint, { paths: changed, leftoverLabel: { runId: run.requireRun(), taskId: entry.taskId } });
      }),
    );
  }

  prepare(task: Task, options: PrepareTaskOptions): Promise<PreparedTask> {
    const run = this.#run;
    return run.queue.run(async () => {
      const { baseCommit, sequence, isCheckpointKept } = await run.startTask(task, options);
      // Taken in the same queue operation as the start: the task is never only "starting" here.
      run.starting.delete(task.id);
      const checkpoint = await run.rollback.checkpoint(options.runId, task.id);
      if (!isCheckpointKept) await runGit(run.root, ['update-ref', '-d', checkpoint.ref]);
      run.tasks.set(task.id, { task, runId: options.runId, attempt: options.attempt, phase: 'running', sequence, baseCommit, stateCommit: checkpoint.commit, stateTree: checkpoint.tree });
      return {
        taskId: task.id,
        cwd: run.options.projectDir,
        checkpoint: checkpoint.commit,
        ...(isCheckpointKept ? { checkpointRef: checkpoint.ref } : {}),
        baseCommit,
        // Tasks of one tree may still run at once: each gets its slot's ports.
        environment: run.provisioner.taskEnvironment(options.slot ?? 0),
      };
    });
  }

  async changedFiles(prepared: PreparedTask): Promise<string[]> {
    const record = this.#run.record(prepared);
    return this.#run.queue.run(() => this.#changes(record));
  }

  async complete(_task: Task, prepared: PreparedTask, options: CompleteTaskOptions): Promise<CompletedTask> {
    const record = this.#run.record(prepared);
    return this.#run.queue.run(() => this.#commit(record, options));
  }

  async discard(task: Task, prepared: PreparedTask, options: DiscardTaskOptions): Promise<void> {
    const run = this.#run;
    const record = run.record(prepared);
    if (record.landedCommit !== undefined) return run.discardLanded(record, options);
    return run.queue.run(async () => {
      await run.watch.inspect(task.id);
      const paths = options.isRollback ? await this.#changes(record) : [];
      record.phase = 'failed';
      if (!options.isRollback || record.stateCommit === undefined) return;
      if (paths.length > 0) await run.rollback.restoreState(record.stateCommit, { paths, leftoverLabel: { runId: record.runId, taskId: task.id } });
      record.phase = 'done';
    });
  }

  commitFiles(paths: readonly string[], message: string): Promise<string | undefined> {
    return this.#run.commitFiles(paths, message);
  }

  end(options: { isSuccess: boolean }): Promise<WorkspaceEndResult> {
    return this.#run.end(options, {
      leftInTreeWarning: (described) => `Changes no task committed are left in the work tree: ${described} (work of tasks discarded without rollback).`,
    });
  }

  /** Commits the files the task changed onto the integration head (inside the git queue). */
  async #commit(record: TaskRecord, options: CompleteTaskOptions): Promise<CompletedTask> {
    const run = this.#run;
    await run.watch.inspect(record.task.id);
    const paths = await this.#changes(record);
    if (paths.length === 0) {
      record.phase = 'done';
      return { filesChanged: [] };
    }
    const head = (await headCommit(run.root)) as string;
    const tree = await withTemporaryIndex(
      run.root,
      async (env) => {
        await forPathBatches(paths, (batch) => runGit(run.root, ['add', '-A', '--', ...batch], { env: { ...env, ...LITERAL_PATHSPECS } }));
        return (await runGit(run.root, ['write-tree'], { env })).trim();
      },
      { fromTree: head },
    );
    const message = `${options.message}\n\nqoder-orch: task ${record.task.id} (run ${record.runId})`;
    const commit = await commitTree(run.root, tree, { parents: [head], message, identity: run.identity });
    await writeMergeIntent(run.commonDir, { runId: record.runId, taskId: record.task.id, from: head, to: commit });
    const moved = await tryGit(run.root, ['update-ref', '-m', `qoder-orch: task ${record.task.id}`, 'HEAD', commit, head]);
    await clearMergeIntent(run.commonDir);
    if (!moved.isOk) {
      throw new OrchestratorError({
        code: 'GIT_ERROR',
        message: `Could not commit task ${record.task.id}: HEAD moved during the run (${moved.message}).`,
        fix: 'Do not commit or switch branches in the project while a run is in progress.',
      });
    }
    // The index follows the new commit for these paths (the files themselves are already right).
    await forPathBatches(paths, (batch) => tryGit(run.root, ['reset', '-q', '--', ...batch], { env: LITERAL_PATHSPECS }));
    record.landedCommit = commit;
    record.phase = 'landed';
    run.landed.push({ sequence: run.nextSequence(), taskId: record.task.id, paths });
    await runGit(run.root, ['update-ref', taskCommitRef(record.runId, record.task.id), commit]);
    return { commit, filesChanged: paths };
  }

  /** The files a task changed in the shared tree (see `attributePaths`). */
  async #changes(record: TaskRecord): Promise<string[]> {
    if (record.stateTree === undefined || record.phase !== 'running') return [];
    const changed = await changedPathsBetween(this.#run.root, record.stateTree, await workingTree(this.#run.root));
    const others = [...this.#run.tasks.values()].filter((other) => other !== record && other.phase === 'running').map((other) => other.task);
    return attributePaths(changed, { taskId: record.task.id, sequence: record.sequence }, this.#run.landed, others);
  }
}
