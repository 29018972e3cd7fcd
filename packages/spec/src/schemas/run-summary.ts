import { z } from 'zod';
import { UsageSchema } from '../provider/usage';
import { CheckChangeSchema } from './check-change';
import { KeptConflictSchema } from './kept-conflict';
import { TaskResultSchema } from './task-result';
import { VerdictSchema } from './verdict';

export const StopReasonSchema = z.enum(['met', 'max-iterations', 'no-progress', 'cancelled', 'budget', 'usage-limit', 'error']);
export type StopReason = z.infer<typeof StopReasonSchema>;

/** What one provider was used for in a run, and what it spent. */
export const ProviderSpendSchema = z.object({
  providerId: z.string(),
  /** `plan` and `judge`: completions; `task`: agent turns. */
  purposes: z.array(z.enum(['plan', 'judge', 'task'])),
  usage: UsageSchema,
  costUsd: z.number(),
});
export type ProviderSpend = z.infer<typeof ProviderSpendSchema>;

export const RunSummarySchema = z.object({
  runId: z.string(),
  objective: z.string(),
  /** `met`: the judge found the objective met on evidence. */
  status: z.enum(['met', 'not-met', 'failed', 'cancelled']),
  stopReason: StopReasonSchema,
  iterations: z.number().int().nonnegative(),
  tasks: z.object({
    total: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    blocked: z.number().int(),
    cancelled: z.number().int(),
  }),
  results: z.array(TaskResultSchema),
  verdict: VerdictSchema.optional(),
  usage: UsageSchema,
  costUsd: z.number(),
  /** Planning and judging spend, apart from the tasks. */
  overheadCostUsd: z.number(),
  /** The spend per provider: the one that planned, the one that judged, the ones that ran tasks. */
  providers: z.array(ProviderSpendSchema).optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
  /** Context cache hit rate in [0, 1], when a context source was used. */
  cacheHitRate: z.number().min(0).max(1).optional(),
  /** Speculative execution: starts, kept, rerun and abandoned work, and the agent time thrown away. */
  speculation: z.object({ started: z.number().int(), kept: z.number().int(), rerun: z.number().int(), abandoned: z.number().int(), wastedMs: z.number() }).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** Changes the run made to the checks themselves, from its start to its end; blocking ones keep it from being met unless accepted. */
  checkChanges: z.array(CheckChangeSchema).optional(),
  /** Whether the user accepted changes to the checks (`execution.accept_check_changes`). */
  isCheckChangeAccepted: z.boolean().optional(),
  /** Tasks whose merge conflicted: where their work is kept and whether it reached the integration branch. */
  conflicts: z.array(KeptConflictSchema).optional(),
  /** The project test command the run used, pinned at its start. */
  testCommand: z.array(z.string()).optional(),
  /**
   * The run worked on a branch of its own (`branch`): its name, its last commit, and where the
   * user's checkout went back to (a branch name, or a commit when HEAD was detached).
   */
  branch: z.object({ name: z.string(), head: z.string().optional(), returnedTo: z.string().optional() }).optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;
