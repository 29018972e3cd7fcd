import { z } from 'zod';
import { TestSummarySchema } from './test-summary';
import { UsageSchema } from '../provider/usage';
import { CheckChangeSchema } from './check-change';

export const VerificationResultSchema = z.object({
  /** The argument vector that ran. */
  command: z.array(z.string()),
  exitCode: z.number().nullable(),
  passed: z.boolean(),
  isTimedOut: z.boolean(),
  durationMs: z.number(),
  /** The last part of stdout+stderr, redacted. */
  outputTail: z.string(),
  /** Where it ran: after the task, or again after its merge. */
  phase: z.enum(['task', 'merge', 'project']).default('task'),
  /** Not run: the command policy refused the command a plan proposed. Never a pass. */
  isRefused: z.boolean().optional(),
  /** The test runner's own pass/fail counts, read from the whole output (not only its tail). */
  testSummary: TestSummarySchema.optional(),
});
export type VerificationResult = z.infer<typeof VerificationResultSchema>;

export const SerializedErrorSchema = z.object({
  name: z.string(),
  code: z.string(),
  message: z.string(),
  isRetryable: z.boolean(),
  retryAfterMs: z.number().optional(),
  fix: z.string().optional(),
});

export const TaskStatusSchema = z.enum(['pending', 'running', 'completed', 'failed', 'blocked', 'cancelled']);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const TaskResultSchema = z.object({
  taskId: z.string(),
  agent: z.string(),
  iteration: z.number().int(),
  status: TaskStatusSchema,
  attempts: z.number().int().nonnegative(),
  /** ISO timestamps. */
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  durationMs: z.number().nonnegative().default(0),
  /** Which parallel slot ran it (for the timeline). */
  slot: z.number().int().nonnegative().optional(),
  /** The agent's own final message: a claim, kept for the record. */
  summary: z.string().default(''),
  /** Whether the agent said it succeeded. Never sufficient on its own. */
  agentClaimedSuccess: z.boolean().default(false),
  error: SerializedErrorSchema.optional(),
  /** For blocked tasks: the failed tasks that blocked them. */
  blockedBy: z.array(z.string()).optional(),
  usage: UsageSchema.default({ inputTokens: 0, outputTokens: 0 }),
  costUsd: z.number().nonnegative().default(0),
  sessionId: z.string().optional(),
  verification: z.array(VerificationResultSchema).default([]),
  filesChanged: z.array(z.string()).default([]),
  /** The commit that holds the task's work on the integration branch. */
  commit: z.string().optional(),
  checkpoint: z.string().optional(),
  contextVersion: z.string().optional(),
  structuredOutput: z.unknown().optional(),
  /** Changes the task made to the checks themselves (test scripts, runner config, CI, tests deleted or skipped). */
  checkChanges: z.array(CheckChangeSchema).optional(),
  /** Files the task changed outside the files it declared. */
  undeclaredFiles: z.array(z.string()).optional(),
  /**
   * Its merge conflicted: nothing of it is on the integration branch. Its work is kept at
   * `ref` (a commit whose diff from `baseCommit` is the task's change) until it lands.
   */
  conflict: z.object({ files: z.array(z.string()), ref: z.string(), baseCommit: z.string() }).optional(),
});
export type TaskResult = z.infer<typeof TaskResultSchema>;
