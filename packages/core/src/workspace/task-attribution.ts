import { patternsOverlap } from '@qoder-orch/spec';
import type { Task } from '@qoder-orch/spec';

/** A commit a task put on the integration head, in the order they landed. */
export interface LandedChange {
  sequence: number;
  taskId: string;
  paths: readonly string[];
}

/**
 * Which of the paths changed since a task's checkpoint are that task's, when several tasks share
 * one work tree: not those another task committed after the checkpoint, and not those inside
 * another running task's declared files (the scheduler's file locks keep those apart).
 */
export function attributePaths(changedSinceCheckpoint: readonly string[], owner: { taskId: string; sequence: number }, landed: readonly LandedChange[], otherRunningTasks: readonly Task[]): string[] {
  const committedByOthers = new Set<string>();
  for (const change of landed) {
    if (change.sequence > owner.sequence && change.taskId !== owner.taskId) for (const path of change.paths) committedByOthers.add(path);
  }
  const otherPatterns = otherRunningTasks.filter((task) => task.id !== owner.taskId).flatMap((task) => task.files);
  return changedSinceCheckpoint.filter((path) => !committedByOthers.has(path) && !otherPatterns.some((pattern) => patternsOverlap(path, pattern)));
}
