import { OrchestratorError } from '@qoder-orch/spec';
import type { PreparedTask } from '../git/task-workspace';
import { dependencyChanges, describeDependencyChanges, fingerprintDependencies } from '../workspace/provision/dependency-fingerprint';

/** Answers the failure when the shared folders changed since the watch began, else `undefined`. */
export type SharedDependencyCheck = () => Promise<OrchestratorError | undefined>;

const UNCHANGED: SharedDependencyCheck = async () => undefined;

/**
 * Watches the dependency folders a task's worktree shares with the user's checkout
 * (`PreparedTask.linkedDependencies`, mode `link`): a fingerprint now (top-level entries and
 * their times, the package managers' state files, a venv's site-packages), compared when the
 * agent is done. The agent was told not to install into them; this is the orchestrator's own
 * evidence that it did not. A change is `SHARED_DEPENDENCIES_CHANGED`, naming what changed.
 */
export async function watchSharedDependencies(taskId: string, prepared: PreparedTask): Promise<SharedDependencyCheck> {
  const folders = prepared.linkedDependencies ?? [];
  const worktree = prepared.worktree;
  if (folders.length === 0 || worktree === undefined) return UNCHANGED;
  const before = await fingerprintDependencies(worktree, folders);
  return async () => {
    const changes = dependencyChanges(before, await fingerprintDependencies(worktree, folders));
    if (changes.length === 0) return undefined;
    return new OrchestratorError({
      code: 'SHARED_DEPENDENCIES_CHANGED',
      message: `While task ${taskId} ran, the installed dependencies its worktree shares with your checkout changed (${describeDependencyChanges(changes)}): an install in the worktree writes into your checkout's ${folders.join(', ')}. Another task running at the same time may have done it too.`,
      fix: "Check your checkout's dependencies (reinstall from its lockfile if needed), and set `workspace.dependencies: copy` in .qoder-orchestrate.yaml so every worktree gets a private copy its agent may install into.",
    });
  };
}
