import { z } from 'zod';

/**
 * A change to what decides whether the work is good: test scripts, runner configuration, CI,
 * build targets, deleted tests, new skips. An agent that can rewrite the check that judges it
 * can make any check pass, so such a change counts against the run until the user accepts it.
 */
export const CheckChangeSchema = z.object({
  /** Repository-relative path. */
  path: z.string(),
  kind: z.enum(['test-script', 'runner-config', 'ci', 'build-target', 'test-deleted', 'test-skipped']),
  /** What changed, in a few words (a script's old and new text, the skip added). */
  detail: z.string(),
  /**
   * Whether it can weaken a check (a modified or removed script, config or target, a deleted
   * test, a new skip). Additions (a new script, a new config file) are shown but do not block.
   */
  isBlocking: z.boolean(),
  /** The task whose change it is, when known. */
  taskId: z.string().optional(),
});
export type CheckChange = z.infer<typeof CheckChangeSchema>;
