import { z } from 'zod';

/** A task whose merge conflicted, and whether its change has since reached the integration branch. */
export const KeptConflictSchema = z.object({
  taskId: z.string(),
  /** The ref that keeps the task's work. */
  ref: z.string(),
  /** The integration head the task started from: `git diff <baseCommit> <ref>` is its change. */
  baseCommit: z.string(),
  /** The files whose merge conflicted. */
  files: z.array(z.string()),
  /** Its change is on the integration branch (read from git, see `conflictChangeLanded`). */
  isLanded: z.boolean(),
  /** Files whose part of the change is not on the integration branch. */
  missing: z.array(z.string()).default([]),
});
export type KeptConflict = z.infer<typeof KeptConflictSchema>;
