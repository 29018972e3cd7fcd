import { OrchestratorError } from '@qoder-orch/spec';
import type { ProvisionEvents, ProvisionSettings } from '../workspace/provision/provision-types';
import { WorktreeProvisioner } from '../workspace/provision/worktree-provisioner';
import { refComponent } from './ref-names';
import { repositoryPaths } from './repository';
import { activeRunId } from './run-lock';
import { resolveUserPath } from './worktree-location';
import { type ListedWorktree, WorktreeManager } from './worktree-manager';

export interface TaskWorktreesOptions {
  /** The project (a directory inside the repository). */
  projectDir: string;
  /** As `execution.worktree_root`: `~/` allowed, relative to the project otherwise. @default the user cache folder */
  worktreeRoot?: string;
  /** Only this run's worktrees. */
  runId?: string;
}

export interface ListTaskWorktreesOptions extends TaskWorktreesOptions {
  /** Also the idle slots of the worktree pool (reused by the next run's tasks; `isPoolSlot`, no run or task). @default false */
  includeIdlePool?: boolean;
}

export interface PruneTaskWorktreesOptions extends TaskWorktreesOptions {
  /**
   * The project's provisioning (`workspace` of its configuration, `provisionSettingsOf`): the
   * teardown commands run in each provisioned worktree before it is removed, idle pool slots
   * included, as a run's own removals do. Absent: no teardown.
   */
  provision?: ProvisionSettings;
  /** A teardown that failed or timed out (`TEARDOWN_FAILED`): the removal went on. */
  onWarning?: (warning: ProvisionEvents['warning']) => void;
}

export interface PrunedTaskWorktrees {
  /** The worktrees removed. */
  removed: ListedWorktree[];
  /** Refs that keep the work found in them (`refs/qoder-orch/leftovers/<run>/<task>/pruned`). */
  keptRefs: string[];
  /** A run in progress whose worktrees were left alone. */
  activeRunId?: string;
}

async function managerFor(options: TaskWorktreesOptions, beforeRemove?: (root: string) => (path: string) => Promise<void>): Promise<{ manager: WorktreeManager; commonDir: string }> {
  const paths = await repositoryPaths(options.projectDir);
  const manager = new WorktreeManager({
    projectDir: paths.root,
    ...(options.worktreeRoot === undefined ? {} : { worktreeRoot: resolveUserPath(options.worktreeRoot, options.projectDir) }),
    ...(beforeRemove === undefined ? {} : { beforeRemove: beforeRemove(paths.root) }),
  });
  return { manager, commonDir: paths.commonDir };
}

/**
 * The task worktrees that exist for a repository (outside it): those of a run in progress, and
 * those kept for inspection after a failed or interrupted run; with `includeIdlePool`, the idle
 * slots of its worktree pool too.
 */
export async function listTaskWorktrees(options: ListTaskWorktreesOptions): Promise<ListedWorktree[]> {
  const { manager } = await managerFor(options);
  const listed = (await manager.list()).filter((worktree) => worktree.runId !== '' || (options.includeIdlePool === true && options.runId === undefined));
  return options.runId === undefined ? listed : listed.filter((worktree) => worktree.runId === refComponent(options.runId as string));
}

/**
 * Removes kept task worktrees (all runs', or one run's) and their task branches, never those of
 * a run in progress. Work found in them is kept under leftover refs first, as a run does. A pool
 * slot that holds a task of such a run is released to the pool; with no run named and no run in
 * progress, the idle pool is removed too (to reclaim its disk; the next run adds slots again).
 * With `provision`, each provisioned worktree's teardown runs before it is removed.
 *
 * @throws OrchestratorError `GIT_ERROR` when the run named is in progress.
 */
export async function pruneTaskWorktrees(options: PruneTaskWorktreesOptions): Promise<PrunedTaskWorktrees> {
  const { provision, onWarning } = options;
  const teardown =
    provision === undefined
      ? undefined
      : (root: string) => {
          const provisioner = new WorktreeProvisioner({ ...provision, root });
          if (onWarning !== undefined) provisioner.on('warning', onWarning);
          return (path: string) => provisioner.teardown(path);
        };
  const { manager, commonDir } = await managerFor(options, teardown);
  const active = await activeRunId(commonDir);
  if (options.runId !== undefined && active !== undefined && refComponent(options.runId) === refComponent(active)) {
    throw new OrchestratorError({ code: 'GIT_ERROR', message: `Run ${options.runId} is in progress; its worktrees are in use.`, fix: 'Wait for the run to end (it cleans up after itself), or stop it first.' });
  }
  const before = await manager.list();
  const keptRefs = await manager.cleanLeftovers({
    label: 'pruned',
    ...(options.runId === undefined && active === undefined ? { isRemovingIdlePool: true } : {}),
    ...(options.runId === undefined ? {} : { onlyRunId: options.runId }),
    ...(active === undefined ? {} : { keepRunId: active }),
  });
  const remaining = new Set((await manager.list()).map((worktree) => worktree.path));
  return { removed: before.filter((worktree) => !remaining.has(worktree.path)), keptRefs, ...(active === undefined ? {} : { activeRunId: active }) };
}
