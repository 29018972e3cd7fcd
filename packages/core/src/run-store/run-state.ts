import { z } from 'zod';
import { PlanSchema } from '@qoder-orch/spec';
import { TaskResultSchema, TaskStatusSchema } from '@qoder-orch/spec';
import { ProviderSpendSchema, UsageSchema } from '@qoder-orch/spec';
import { VerdictSchema } from '@qoder-orch/spec';
import { CommandReviewSchema } from '../commands/command-review';
import { ProjectCommandsSchema } from '../commands/project-commands';
import { CheckChangeSchema } from '@qoder-orch/spec';
import { KeptConflictSchema } from '@qoder-orch/spec';
import { PinnedTestCommandSchema } from '../judge/detect-test-command';

export const TaskStateSchema = z.object({
  status: TaskStatusSchema,
  attempts: z.number().int().nonnegative(),
  iteration: z.number().int(),
  checkpoint: z.string().optional(),
  worktree: z.string().optional(),
  result: TaskResultSchema.optional(),
});
export type TaskState = z.infer<typeof TaskStateSchema>;

/** Everything needed to resume a run. Written atomically after each change. */
export const RunStateSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  objective: z.string(),
  projectDir: z.string(),
  status: z.enum(['running', 'met', 'not-met', 'failed', 'cancelled']),
  startedAt: z.string(),
  updatedAt: z.string(),
  iteration: z.number().int().nonnegative(),
  /** The plan of each iteration, in order. */
  plans: z.array(PlanSchema),
  tasks: z.record(z.string(), TaskStateSchema),
  verdicts: z.array(VerdictSchema).default([]),
  /** The integration head the run started from and where it is now. */
  baseCommit: z.string().optional(),
  headCommit: z.string().optional(),
  /** The user's uncommitted work, snapshotted at start when allowed. */
  userSnapshot: z.string().optional(),
  /** The run's own branch (`branch`): where the checkout was before it, and, once ended, its last commit and where the checkout went back to. */
  branch: z.object({ name: z.string(), returnTo: z.string().optional(), head: z.string().optional(), returnedTo: z.string().optional() }).optional(),
  overheadUsage: UsageSchema.default({ inputTokens: 0, outputTokens: 0 }),
  overheadCostUsd: z.number().default(0),
  /** Planning and judging spend per provider (tasks' spend is in their results). */
  overheadByProvider: z.array(ProviderSpendSchema).optional(),
  lastSeq: z.number().int().nonnegative().default(0),
  /**
   * Time the run was actually being worked on, over all its sessions (a resumed run's idle
   * gap does not count). Kept with every state write, so a killed session loses little.
   */
  activeMs: z.number().nonnegative().optional(),
  /** The project's scripts and tools when the run started: what the command policy calls its own. */
  projectCommands: ProjectCommandsSchema.optional(),
  /** What the command policy decided (and the user approved) about the plans' commands. */
  commandReviews: z.array(CommandReviewSchema).optional(),
  /** The project's test command as it was when the run started; a resumed run keeps using it. */
  testCommand: PinnedTestCommandSchema.optional(),
  /** The run's changes to the checks (start to now), as last measured. */
  checkChanges: z.array(CheckChangeSchema).optional(),
  /** Conflicted tasks and whether their change landed, as last measured. */
  conflicts: z.array(KeptConflictSchema).optional(),
  /** Providers paused by a usage limit, and when work for them starts again (a resumed run waits for it). */
  usageLimits: z.array(z.object({ providerId: z.string(), resumesAt: z.string(), resetsAt: z.string().optional(), reason: z.string() })).optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;
