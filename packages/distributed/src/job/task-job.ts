import { z } from 'zod';

/** A ref-safe piece of a name: run ids, task ids. */
const NamePart = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, dot, dash and underscore only');
const Sha = z.string().regex(/^[0-9a-f]{40}$/, 'a full commit id');

/**
 * One task attempt as it travels to a worker: data only, no credentials. Validated when the
 * coordinator enqueues it and again when a worker takes it.
 */
export const TaskJobSchema = z.strictObject({
  runId: NamePart,
  taskId: NamePart,
  attempt: z.number().int().positive(),
  /** The git URL the worker fetches the base from and pushes its branch to. */
  repositoryUrl: z.string().min(1),
  /** The ref on the remote that holds `baseCommit`. */
  baseRef: z.string().startsWith('refs/qoder-orch/base/'),
  baseCommit: Sha,
  /** The branch the worker pushes its commit to (`qoder-orch/<run>/<task>/<attempt>`). */
  branch: z.string().startsWith('qoder-orch/'),
  prompt: z.string(),
  /** The provider the coordinator would have used (a built-in name or a module the worker has). */
  providerName: z.string().min(1),
  model: z.string().optional(),
  systemPrompt: z.string().optional(),
  allowedTools: z.array(z.string()).optional(),
  disallowedTools: z.array(z.string()).optional(),
  permissionMode: z.enum(['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk', 'auto']).optional(),
  maxTurns: z.number().int().positive().optional(),
  maxBudgetUsd: z.number().positive().optional(),
  timeoutMs: z.number().int().positive().optional(),
});
export type TaskJob = z.infer<typeof TaskJobSchema>;

const UsageSchema = z.looseObject({ inputTokens: z.number().nonnegative(), outputTokens: z.number().nonnegative() });

/** What a worker reports back. Untrusted: the summary is a claim, the commit is checked by git. */
export const TaskJobResultSchema = z.discriminatedUnion('isOk', [
  z.strictObject({
    isOk: z.literal(true),
    commit: Sha,
    summary: z.string(),
    usage: UsageSchema,
    costUsd: z.number().nonnegative().optional(),
    numTurns: z.number().int().nonnegative().optional(),
    durationMs: z.number().nonnegative(),
    structuredOutput: z.unknown().optional(),
    worker: z.string(),
  }),
  z.strictObject({
    isOk: z.literal(false),
    code: z.string(),
    message: z.string(),
    isRetryable: z.boolean(),
    usage: UsageSchema.optional(),
    costUsd: z.number().nonnegative().optional(),
    worker: z.string(),
  }),
]);
export type TaskJobResult = z.infer<typeof TaskJobResultSchema>;

/** Agent events streamed as job progress, a few at a time. */
export const ProgressSchema = z.strictObject({ events: z.array(z.looseObject({ type: z.string() })) });

/** The queue's job id of an attempt: idempotent by run, task and attempt (BullMQ forbids `:`). */
export function jobIdOf(job: Pick<TaskJob, 'runId' | 'taskId' | 'attempt'>): string {
  return `${job.runId}/${job.taskId}/${job.attempt}`;
}

/** The branch a worker pushes an attempt's commit to. */
export function branchOf(job: Pick<TaskJob, 'runId' | 'taskId' | 'attempt'>): string {
  return `qoder-orch/${jobIdOf(job)}`;
}

/** The default queue name. */
export const DEFAULT_QUEUE = 'qoder-orch-tasks';

/** The pub/sub channel on which a coordinator asks the workers of `queue` to cancel a running attempt (the message is its job id). */
export function cancelChannelOf(queue: string): string {
  return `qoder-orch:cancel:${queue}`;
}
