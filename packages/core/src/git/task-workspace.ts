import type { Task } from '@qoder-orch/spec';
import type { VerificationResult } from '@qoder-orch/spec';
import type { ProvisionEvent } from '../workspace/provision/provision-types';

export interface WorkspaceBeginOptions {
  runId: string;
  isResume: boolean;
  /** Snapshot a dirty work tree instead of refusing it. @default false */
  allowDirty: boolean;
  /**
   * Files the run itself writes in the project while tasks run (its records), relative to the
   * project directory: never taken for a task's writes outside its worktree.
   */
  ownPaths?: readonly string[];
  /** Told when a task changed the repository beyond its own work (see {@link RepositoryTampering}). */
  onTampering?: (tampering: RepositoryTampering) => void;
  /** Told what provisioning a worktree did (`provision-start`, `provision-finish`, `warning`): names, counts, durations. */
  onProvision?: (event: ProvisionEvent) => void;
  /**
   * Work on a branch of the run's own instead of the checked-out one: created at HEAD by a new
   * run (`BRANCH_EXISTS` when it exists), gone back to on resume; `end` returns the checkout to
   * `returnTo` (a branch's full ref, or a commit when HEAD was detached). Git workspaces only.
   */
  branch?: RunBranch;
  abortSignal?: AbortSignal;
}

/** The branch a run works on, and where the user's checkout was before it (`refs/heads/<name>`, or a commit). */
export interface RunBranch {
  name: string;
  returnTo?: string;
}

/**
 * A change to the repository that no task may make, found after the fact and undone:
 * `git-config` (configuration, attributes, excludes in the shared git directory), `git-hooks`
 * (files under its `hooks/`), `outside-worktree` (isolation `worktree`: files written in the
 * project checkout instead of the task's own worktree).
 */
export interface RepositoryTampering {
  kind: 'git-config' | 'git-hooks' | 'outside-worktree';
  /** The tasks whose agents were running when the change was made. */
  taskIds: string[];
  /** What changed: configuration keys and files (never their values), or repository-relative paths. */
  changes: string[];
  /** The ref that keeps what was taken out of the checkout (`outside-worktree`). */
  keptRef?: string;
  /** What happened and what was done about it, in a sentence. */
  message: string;
}

export interface WorkspaceBeginResult {
  /** The commit the run's integration head started from. */
  baseCommit?: string;
  /** The snapshot of the user's uncommitted work, when one was taken. */
  userSnapshot?: string;
  /** The run's own branch, with where the checkout goes back to at the end (`WorkspaceBeginOptions.branch`). */
  branch?: RunBranch;
  warnings: string[];
}

export interface PrepareTaskOptions {
  runId: string;
  attempt: number;
  /**
   * For a conflict-resolution task (isolation `worktree`): the branch of the task whose merge
   * conflicted (`CompletedTask.conflict.branch`). The new worktree starts from the integration
   * head with that branch merged in, conflicts left as markers in the task's own worktree for
   * the agent to resolve; `complete` refuses to merge while markers remain. Ignored in a shared tree.
   */
  mergeBranch?: string;
  /** The scheduler's slot the task runs in (distinct among running tasks): its ports and `QODER_ORCH_SLOT`. @default 0 */
  slot?: number;
  abortSignal?: AbortSignal;
}

/** Where a task works, handed back to the workspace when the task ends. */
export interface PreparedTask {
  taskId: string;
  /** The directory the agent works in: the repository, or the task's worktree. */
  cwd: string;
  /** The checkpoint id (a commit) taken before the task. */
  checkpoint?: string;
  /** The private ref that keeps the checkpoint alive. */
  checkpointRef?: string;
  /** The task's worktree (isolation `worktree`). */
  worktree?: string;
  /** The task's branch in its worktree (isolation `worktree`). */
  branch?: string;
  /** The integration head the task started from. */
  baseCommit?: string;
  /**
   * Dependency folders (`node_modules`, `.venv`, …) linked from the main checkout into the
   * task's worktree, relative to the repository root: shared with the user, never to be changed.
   */
  linkedDependencies?: string[];
  /**
   * Variables for the task's agent and checks (not secrets): its slot's `PORT`,
   * `QODER_ORCH_PORT_RANGE=<first>-<last>` and `QODER_ORCH_SLOT`.
   */
  environment?: Record<string, string>;
}

export interface CompleteTaskOptions {
  /** The commit message for the task's work. */
  message: string;
  /**
   * Commit only changes under these paths (globs allowed): several tasks of one batch worked in
   * the same tree and each gets its own commit. Workspaces that cannot split commit everything.
   */
  paths?: readonly string[];
  /**
   * Runs the task's checks again on the integration tree after its merge, before the next merge:
   * in `cwd`, a worktree checked out at the merge (not the project checkout), with `environment`
   * (that worktree's ports). Only with isolation `worktree`: in a shared tree the task was
   * already verified where its work lands.
   */
  verifyAfterMerge?: (cwd: string, environment: Readonly<Record<string, string>>) => Promise<VerificationResult[]>;
  /**
   * Called once the task's work is committed and its worktree is free, before it waits for its
   * merge (isolation `worktree`): what is left is git work on the integration head, not agent
   * work, so the caller may start another task meanwhile. Told the task's own commit (the
   * integration head's change its merge will make is this commit's against the task's base).
   */
  onCommitted?: (committed: { taskCommit: string }) => void;
  abortSignal?: AbortSignal;
}

export interface CompletedTask {
  /** The commit holding the task's work on the integration head (absent when nothing changed): the merge commit with isolation `worktree`. */
  commit?: string;
  /** The task's own commit on its branch, before the merge (isolation `worktree`). */
  taskCommit?: string;
  filesChanged: string[];
  /**
   * A merge conflict: nothing landed, the files are listed. `branch` keeps the task's work for
   * a conflict-resolution task (`prepare(…, { mergeBranch })`); `hasMarkers` means the task was
   * itself a resolution that left conflict markers in these files.
   */
  conflict?: {
    files: string[];
    branch?: string;
    hasMarkers?: boolean;
    /** A ref that keeps the task's work (its commit) until it lands: the user and the resolving task are told of it. */
    ref?: string;
    /** The integration head the task started from: `git diff <baseCommit> <ref>` is its change. */
    baseCommit?: string;
  };
  /** The checks run again after the merge. */
  mergeVerification?: VerificationResult[];
}

export interface DiscardTaskOptions {
  /** Restore the checkpoint (auto rollback); otherwise keep the work for inspection. */
  isRollback: boolean;
  reason: string;
}

export interface WorkspaceEndResult {
  warnings: string[];
  /** Refs that still hold work the run set aside (user work that could not be put back, kept worktrees). */
  keptRefs: string[];
  /** Worktrees kept for inspection after a failure. */
  keptWorktrees: string[];
  /** With a run branch: its name, its last commit and where the checkout went back to. */
  branch?: { name: string; head?: string; returnedTo?: string };
}

/** A task that was running when a run was interrupted, to be recovered on resume. */
export interface InterruptedTask {
  taskId: string;
  checkpoint?: string;
  worktree?: string;
}

/**
 * How a task gets a place to work and how its work comes back. The git implementation
 * (`createGitWorkspace`) takes a checkpoint before every task, isolates parallel tasks in
 * worktrees and merges them through a queue; `createDirectoryWorkspace` does none of that
 * (for tests and for directories that are not repositories).
 */
export interface TaskWorkspace {
  readonly kind: string;
  /** Whether tasks get their own directory, so that overlapping tasks can run at once. */
  readonly isIsolated: boolean;
  begin(options: WorkspaceBeginOptions): Promise<WorkspaceBeginResult>;
  /** On resume: roll back tasks that were running, clean crashed leftovers. */
  recover(tasks: InterruptedTask[]): Promise<void>;
  prepare(task: Task, options: PrepareTaskOptions): Promise<PreparedTask>;
  complete(task: Task, prepared: PreparedTask, options: CompleteTaskOptions): Promise<CompletedTask>;
  discard(task: Task, prepared: PreparedTask, options: DiscardTaskOptions): Promise<void>;
  /**
   * Commits these project files (the run's records: `specs/plan.json`, the integration
   * registry) onto the integration head, when they changed. Returns the commit.
   */
  commitFiles?(paths: readonly string[], message: string): Promise<string | undefined>;
  /** The files a task changed so far in its working directory. */
  changedFiles(prepared: PreparedTask): Promise<string[]>;
  /** End of run: clean worktrees after success, keep them after a failure; put set-aside user work back. */
  end(options: { isSuccess: boolean }): Promise<WorkspaceEndResult | void>;
}
