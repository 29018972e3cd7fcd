import { z } from 'zod';

/** A verification command as an argument vector. Never run through a shell. */
export const VerifyCommandSchema = z.union([
  z.array(z.string().min(1)).min(1),
  z.object({
    command: z.array(z.string().min(1)).min(1),
    /** ms. @default 300000 */
    timeoutMs: z.number().int().positive().max(3_600_000).optional(),
    /** Relative to the task's working directory. */
    cwd: z.string().optional(),
  }),
]);
export type VerifyCommand = z.infer<typeof VerifyCommandSchema>;

export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const TaskSchema = z.object({
  id: z.string().regex(TASK_ID_PATTERN, 'letters, digits, ".", "_" or "-", at most 64, starting with a letter or digit'),
  title: z.string().min(1).max(200),
  description: z.string().max(20_000).default(''),
  /** The subagent that runs it. */
  agent: z.string().min(1),
  dependsOn: z.array(z.string()).default([]),
  /** Files (globs allowed) it expects to touch, relative to the project root. Used for file locks. */
  files: z.array(z.string().min(1)).default([]),
  acceptance: z.array(z.string()).default([]),
  verify: z.array(VerifyCommandSchema).default([]),
  /** @default 10 */
  estimateMinutes: z.number().positive().max(1440, 'at most 1440 (a day)').default(10),
});

export type Task = z.infer<typeof TaskSchema>;
export type TaskInput = z.input<typeof TaskSchema>;
