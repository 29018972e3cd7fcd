import { classifyCommand } from '../commands/command-policy';
import { commandKey } from '../commands/command-review';
import { type ProjectCommands, readProjectCommands } from '../commands/project-commands';
import { screenPlanCommands, verifyArgv } from '../commands/screen-plan-commands';
import type { RunState } from '../run-store/run-state';
import type { Plan } from '@qoder-orch/spec';
import type { VerifyCommand } from '@qoder-orch/spec';
import type { RunContext } from './run-context';
import { commandPolicyOf } from './run-policies';

/** What the project offers to run, read once per run (before any agent can change it) and kept in its state. */
export function projectCommandsOf(projectDir: string, state: RunState): ProjectCommands {
  state.projectCommands ??= readProjectCommands(projectDir);
  return state.projectCommands;
}

/**
 * Screens a plan's verify commands with the command policy (asking the user when the mode
 * says so), remembers the decisions in the run state and shows them before anything runs.
 */
export async function screenCommands(run: RunContext, plan: Plan, iteration: number, ownCommands: readonly (readonly string[])[] = []): Promise<void> {
  const { state } = run;
  state.commandReviews ??= [];
  const known = new Map(state.commandReviews.map((review) => [commandKey(review.command, review.cwd), review]));
  // Commands the orchestrator itself wrote (the contract check it attached to a follow-up) are
  // its own, exactly as written: they run without asking. Any other argument vector is screened.
  for (const command of ownCommands) {
    const key = commandKey(command, undefined);
    if (!known.has(key)) known.set(key, { taskId: '', command: [...command], classification: 'allowed', isAllowed: true, reason: "the orchestrator's own check" });
  }
  const reviews = await screenPlanCommands({
    plan,
    iteration,
    projectDir: run.projectDir,
    project: projectCommandsOf(run.projectDir, state),
    policy: commandPolicyOf(run.config),
    known,
    ...(run.runOptions.approveCommands === undefined ? {} : { approveCommands: run.runOptions.approveCommands }),
  });
  for (const review of reviews) {
    const key = commandKey(review.command, review.cwd);
    if (!known.has(key)) {
      known.set(key, review);
      state.commandReviews.push(review);
    }
  }
  if (reviews.length > 0) run.events.emit('plan-commands', { iteration, commands: reviews });
}

/** What the runner asks before a verify command runs: the recorded decision, else the policy without asking. */
export function commandDecision(run: RunContext): (command: VerifyCommand) => { isAllowed: boolean; reason: string } {
  const { state, projectDir } = run;
  return (command) => {
    const { argv, cwd } = verifyArgv(command);
    const review = state.commandReviews?.find((candidate) => commandKey(candidate.command, candidate.cwd) === commandKey(argv, cwd));
    if (review) return review;
    const verdict = classifyCommand({ argv, ...(cwd === undefined ? {} : { cwd }), projectDir, project: projectCommandsOf(projectDir, state), policy: commandPolicyOf(run.config) });
    return { isAllowed: verdict.classification === 'allowed', reason: verdict.reason };
  };
}
