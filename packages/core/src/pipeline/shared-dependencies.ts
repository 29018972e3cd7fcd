import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import type { PreparedTask } from '../git/task-workspace';
import { dependencyChanges, describeDependencyChanges, fingerprintFolder, type DependencyFingerprint } from '../workspace/provision/dependency-fingerprint';

/** Answers the failure when the shared folders changed since the watch began, else `undefined`. */
export type SharedDependencyCheck = () => Promise<OrchestratorError | undefined>;

const UNCHANGED: SharedDependencyCheck = async () => undefined;
const FIX = "Check your checkout's installed dependencies (reinstall from its lockfile if they changed), and set `workspace.dependencies: copy` in .qoder-orchestrate.yaml so every worktree gets a private copy its agent may install into.";

/** Where a worktree's link leads now, when it is still a link. */
async function linkTarget(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  return info?.isSymbolicLink() ? realpath(path).catch(() => undefined) : undefined;
}

/**
 * Watches the dependency folders a task's worktree shares with the user's checkout
 * (`PreparedTask.linkedDependencies`, mode `link`): a fingerprint of each link's target now (its
 * top-level entries and their times, the package managers' state files, a venv's
 * site-packages), compared when the agent is done, and whether the links are still the links.
 * The agent was told not to install; this is the orchestrator's own evidence. Either change is
 * `SHARED_DEPENDENCIES_CHANGED`: the user's folder changed (an install wrote through the link),
 * or the link was replaced by an install of the agent's own (the user's folder is untouched, but
 * the task's work now rests on packages the checkout does not have).
 */
export async function watchSharedDependencies(taskId: string, prepared: PreparedTask): Promise<SharedDependencyCheck> {
  const folders = prepared.linkedDependencies ?? [];
  const worktree = prepared.worktree;
  if (folders.length === 0 || worktree === undefined) return UNCHANGED;
  const targets = new Map<string, string>();
  const before: DependencyFingerprint = new Map();
  for (const folder of folders) {
    const target = await linkTarget(join(worktree, folder));
    if (target === undefined) continue;
    targets.set(folder, target);
    before.set(folder, await fingerprintFolder(target));
  }
  return async () => {
    const after: DependencyFingerprint = new Map();
    for (const [folder, target] of targets) after.set(folder, await fingerprintFolder(target));
    const changes = dependencyChanges(before, after);
    if (changes.length > 0) {
      return new OrchestratorError({
        code: 'SHARED_DEPENDENCIES_CHANGED',
        message: `While task ${taskId} ran, the installed dependencies its worktree shares with your checkout changed (${describeDependencyChanges(changes)}): an install through the link writes into your checkout's ${[...targets.keys()].join(', ')}. Another task running at the same time may have done it too.`,
        fix: FIX,
      });
    }
    const replaced: string[] = [];
    for (const [folder, target] of targets) if ((await linkTarget(join(worktree, folder))) !== target) replaced.push(folder);
    if (replaced.length === 0) return undefined;
    return new OrchestratorError({
      code: 'SHARED_DEPENDENCIES_CHANGED',
      message: `Task ${taskId}'s agent replaced the link to your checkout's ${replaced.join(', ')} in its worktree (an install of its own; your checkout's folder is unchanged): its work and checks rest on packages your checkout does not have installed.`,
      fix: FIX,
    });
  };
}
