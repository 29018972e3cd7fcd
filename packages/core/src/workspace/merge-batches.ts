import { headCommit, resolveRef, runGit } from '../git/git-client';
import { mergeCommits } from '../git/merge-trees';
import { leftoverRef, taskCommitRef } from '../git/ref-names';
import type { CompletedTask, CompleteTaskOptions } from '../git/task-workspace';
import { commitTree } from '../git/working-state';
import { inCheckCheckout } from './check-checkout';
import type { GitRun } from './git-run';
import type { TaskRecord } from './task-record';

/** A task's commit waiting for its merge onto the integration head. */
export interface MergeRequest {
  record: TaskRecord;
  taskCommit: string;
  /** The files the task changed (may still be being read: the task joins the queue at once, in completion order). */
  filesChanged: string[] | Promise<string[]>;
  /** The task's commit message; its merge commit's message starts with it. */
  message: string;
  verifyAfterMerge?: CompleteTaskOptions['verifyAfterMerge'];
}

/** One task's merge computed on the head: its merge commit, or the files that conflict. */
type ComputedMerge = { commit: string; conflicts?: undefined } | { commit?: undefined; conflicts: string[] };

interface Waiting extends MergeRequest {
  outcome?: { isLanded: true; completed: CompletedTask } | { isLanded: false; error: unknown };
}

/** A waiting task whose changed files are read and that may merge. */
type Ready = Waiting & { filesChanged: string[] };

/**
 * The merge queue of isolation `worktree`. Tasks that committed while a merge was under way are
 * merged together: one `merge-tree` and `commit-tree` per task, chained in completion order
 * (each task still gets its own merge commit and its landed ref), and one move of the
 * integration head for all of them, their landed refs and the deletion of their branches in the
 * same transaction. A task that conflicts is kept under its leftover ref and left out; the
 * others land. A task with checks to run after its merge ends its batch: they run on the tree
 * it made, before anything else moves it.
 */
export class MergeBatches {
  readonly #run: GitRun;
  readonly #waiting: Waiting[] = [];

  constructor(run: GitRun) {
    this.#run = run;
  }

  /** Merges the task's commit (with the tasks waiting beside it), or keeps it when it conflicts. */
  async merge(request: MergeRequest): Promise<CompletedTask> {
    const waiting: Waiting = { ...request };
    this.#waiting.push(waiting);
    return this.#run.mergeQueue.run(async () => {
      // An earlier batch may have taken it already.
      if (waiting.outcome === undefined) await this.#landNext();
      const outcome = waiting.outcome as NonNullable<Waiting['outcome']>;
      if (!outcome.isLanded) throw outcome.error;
      return outcome.completed;
    });
  }

  /** Lands the oldest waiting tasks, up to and including the first with checks after its merge. */
  async #landNext(): Promise<void> {
    const end = this.#waiting.findIndex((waiting) => waiting.verifyAfterMerge !== undefined);
    const taken = this.#waiting.splice(0, end === -1 ? this.#waiting.length : end + 1);
    const batch: Ready[] = [];
    for (const waiting of taken) {
      try {
        batch.push(Object.assign(waiting, { filesChanged: await waiting.filesChanged }));
      } catch (error) {
        waiting.outcome = { isLanded: false, error };
      }
    }
    if (batch.length === 0) return;
    const run = this.#run;
    try {
      const merged = await this.#mergeAll(batch);
      const last = batch[batch.length - 1] as Ready;
      const lastMerged = merged[merged.length - 1] as CompletedTask;
      // Verification runs on the merged tree outside the git queue (other tasks keep starting), inside the merge queue
      // (nothing else merges meanwhile), in a worktree of its own checked out at the merge (see `inCheckCheckout`).
      const mergedCommit = lastMerged.conflict === undefined ? lastMerged.commit : undefined;
      const mergeVerification = mergedCommit === undefined || last.verifyAfterMerge === undefined ? undefined : await inCheckCheckout(run, mergedCommit, last.record.task.id, last.verifyAfterMerge);
      batch.forEach((waiting, index) => {
        const completed = merged[index] as CompletedTask;
        waiting.outcome = { isLanded: true, completed: waiting === last && mergeVerification !== undefined ? { ...completed, mergeVerification } : completed };
      });
    } catch (error) {
      for (const waiting of batch) waiting.outcome ??= { isLanded: false, error };
    }
  }

  /**
   * Every task of the batch merged onto the head in turn, then one move of the head. The merges
   * (`merge-tree`, `commit-tree`: objects only) are computed outside the git queue, so that tasks
   * keep starting meanwhile; only the move takes it. Should the head have moved in between (the
   * run's records committed), they are computed again on the new head, inside it.
   */
  async #mergeAll(batch: readonly Ready[]): Promise<CompletedTask[]> {
    const run = this.#run;
    // Merge drivers are configuration too: none an agent set since may run in the merges.
    await run.watch.checkGitFiles();
    const from = (await headCommit(run.root)) as string;
    const early = await this.#computeMerges(batch, from);
    return run.queue.run(async () => {
      let computed = early;
      const head = (await headCommit(run.root)) as string;
      if (head !== from) {
        await run.watch.checkGitFiles();
        computed = await this.#computeMerges(batch, head);
      }
      const results: CompletedTask[] = [];
      const landed: Array<{ record: TaskRecord; commit: string; filesChanged: string[] }> = [];
      for (const [index, { record, taskCommit, filesChanged }] of batch.entries()) {
        const merge = computed.merges[index] as ComputedMerge;
        if (merge.conflicts !== undefined) {
          results.push(await this.#keepConflict(record, taskCommit, filesChanged, merge.conflicts));
          continue;
        }
        landed.push({ record, commit: merge.commit, filesChanged });
        results.push({ commit: merge.commit, taskCommit, filesChanged });
      }
      if (landed.length === 0) return results;
      const taskIds = landed.map(({ record }) => record.task.id);
      // The refs that say the tasks landed move with HEAD, in one transaction; their branches (which held the commits until now) go in it too.
      await run.moveIntegrationHead({ runId: landed[0]!.record.runId, taskIds }, computed.from, computed.head, `merge task${taskIds.length > 1 ? 's' : ''} ${taskIds.join(', ')}`, {
        set: landed.map(({ record, commit }) => ({ ref: taskCommitRef(record.runId, record.task.id), commit })),
        delete: landed.flatMap(({ record }) => (record.branch === undefined ? [] : [`refs/heads/${record.branch}`])),
      });
      for (const { record, commit, filesChanged } of landed) {
        record.landedCommit = commit;
        record.phase = 'landed';
        run.landed.push({ sequence: run.nextSequence(), taskId: record.task.id, paths: filesChanged });
      }
      return results;
    });
  }

  /** The batch's merge commits chained from `from`, in order; a task that conflicts is left out of the chain. Objects only: no ref, index or file changes. */
  async #computeMerges(batch: readonly Ready[], from: string): Promise<{ from: string; head: string; merges: ComputedMerge[] }> {
    const run = this.#run;
    let head = from;
    const merges: ComputedMerge[] = [];
    for (const { record, taskCommit, message } of batch) {
      const merge = await mergeCommits(run.root, head, taskCommit);
      if (!merge.isClean) {
        merges.push({ conflicts: merge.conflicts });
        continue;
      }
      head = await commitTree(run.root, merge.tree, { parents: [head, taskCommit], message: `${message}\n\nqoder-orch: merge of task ${record.task.id} (run ${record.runId})`, identity: run.identity });
      merges.push({ commit: head });
    }
    return { from, head, merges };
  }

  /**
   * The work is kept where the user and a resolving task are told to look, whatever later
   * happens to the task's worktree and branch.
   */
  async #keepConflict(record: TaskRecord, taskCommit: string, filesChanged: string[], conflicts: string[]): Promise<CompletedTask> {
    const run = this.#run;
    const taskId = record.task.id;
    record.phase = 'conflict';
    let ref = leftoverRef(record.runId, taskId, 'conflict');
    for (let suffix = 2; (await resolveRef(run.root, ref)) !== undefined; suffix += 1) ref = `${leftoverRef(record.runId, taskId, 'conflict')}-${suffix}`;
    await runGit(run.root, ['update-ref', '-m', 'qoder-orch: conflicting work', ref, taskCommit]);
    return { taskCommit, filesChanged, conflict: { files: conflicts, ref, baseCommit: record.baseCommit, ...(record.branch === undefined ? {} : { branch: record.branch }) } };
  }
}
