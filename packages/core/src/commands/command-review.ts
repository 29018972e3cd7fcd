import { z } from 'zod';

/** What the command policy decided about one command a plan proposed, as shown and recorded. */
export const CommandReviewSchema = z.object({
  /** The task that proposed it. */
  taskId: z.string(),
  command: z.array(z.string()),
  /** Relative to the task's working directory, when the plan gave one. */
  cwd: z.string().optional(),
  /** What the policy made of it before anyone was asked. */
  classification: z.enum(['allowed', 'needs-approval', 'refused']),
  /** Whether it runs: allowed, or approved by the user. */
  isAllowed: z.boolean(),
  /** Why, in words: the rule that allowed or refused it, or who approved it. */
  reason: z.string(),
});
export type CommandReview = z.infer<typeof CommandReviewSchema>;

/** What `approveCommands` is asked: the commands that need a person's yes, in plan order. */
export interface CommandApprovalRequest {
  iteration: number;
  commands: readonly CommandReview[];
}

/** One answer per command of the request, in its order: `true` runs it. */
export type ApproveCommands = (request: CommandApprovalRequest) => Promise<readonly boolean[]> | readonly boolean[];

/** The key a command is remembered by: the same argument vector in the same directory. */
export function commandKey(command: readonly string[], cwd: string | undefined): string {
  return JSON.stringify([cwd ?? '.', ...command]);
}
