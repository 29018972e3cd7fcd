import type { Plan } from '@qoder-orch/spec';
import type { VerifyCommand } from '@qoder-orch/spec';
import type { VerificationResult } from '@qoder-orch/spec';
import { classifyCommand, type CommandPolicy } from './command-policy';
import { type ApproveCommands, type CommandReview, commandKey } from './command-review';
import type { ProjectCommands } from './project-commands';

export interface ScreenPlanCommandsOptions {
  plan: Plan;
  iteration: number;
  projectDir: string;
  /** The project's scripts and tools as they were when the run started. */
  project: ProjectCommands;
  policy: CommandPolicy;
  /** Decisions made earlier in the run, by {@link commandKey}: a command is asked about once. */
  known?: ReadonlyMap<string, CommandReview>;
  /** Asked about the commands that need approval (mode `ask`); absent: they are refused. */
  approveCommands?: ApproveCommands;
}

export function verifyArgv(command: VerifyCommand): { argv: string[]; cwd?: string } {
  return Array.isArray(command) ? { argv: command } : { argv: command.command, ...(command.cwd === undefined ? {} : { cwd: command.cwd }) };
}

/**
 * Decides, before anything runs, which of the commands a plan proposes may run: the policy's
 * classification, then (mode `ask`) the user's answers for those that need approval. Returns
 * one review per command of each task, in plan order.
 */
export async function screenPlanCommands(options: ScreenPlanCommandsOptions): Promise<CommandReview[]> {
  const reviews: CommandReview[] = [];
  const pending = new Map<string, CommandReview>();
  for (const task of options.plan.tasks) {
    for (const command of task.verify) {
      const { argv, cwd } = verifyArgv(command);
      const key = commandKey(argv, cwd);
      const known = options.known?.get(key);
      if (known) {
        reviews.push({ ...known, taskId: task.id });
        continue;
      }
      const verdict = classifyCommand({ argv, ...(cwd === undefined ? {} : { cwd }), projectDir: options.projectDir, project: options.project, policy: options.policy });
      const review: CommandReview = { taskId: task.id, command: [...argv], ...(cwd === undefined ? {} : { cwd }), classification: verdict.classification, isAllowed: verdict.classification === 'allowed', reason: verdict.reason };
      if (verdict.classification === 'needs-approval') {
        if (options.policy.mode === 'ask' && options.approveCommands) pending.set(key, pending.get(key) ?? review);
        else review.reason = `${verdict.reason}; ${options.policy.mode === 'ask' ? 'it needs approval and no one could be asked' : 'the command policy (refuse) runs only allowed commands'}`;
      }
      reviews.push(review);
    }
  }
  if (pending.size > 0 && options.approveCommands) {
    const asked = [...pending.values()];
    const answers = await options.approveCommands({ iteration: options.iteration, commands: asked });
    const byKey = new Map<string, boolean>();
    asked.forEach((review, index) => byKey.set(commandKey(review.command, review.cwd), answers[index] === true));
    for (const review of reviews) {
      const answer = review.classification === 'needs-approval' ? byKey.get(commandKey(review.command, review.cwd)) : undefined;
      if (answer === undefined) continue;
      review.isAllowed = answer;
      review.reason = answer ? `approved by the user (${review.reason})` : `not approved by the user (${review.reason})`;
    }
  }
  return reviews;
}

/**
 * The record of a check that was not run because the policy refused it. It did not pass: a
 * task whose proposed check was refused is not verified by it, and the run cannot be met on it.
 */
export function refusedCheck(command: VerifyCommand, reason: string, phase: VerificationResult['phase'] = 'task'): VerificationResult {
  return {
    command: [...verifyArgv(command).argv],
    exitCode: null,
    passed: false,
    isTimedOut: false,
    isRefused: true,
    durationMs: 0,
    outputTail: `[qoder-orch] not run: the command policy refused it (${reason})`,
    phase,
  };
}
