import { join } from 'node:path';
import { agentEnvironment } from '@qoder-orch/spec';
import { refusedCheck } from '../commands/screen-plan-commands';
import type { CompletedTask, PreparedTask } from '../git/task-workspace';
import { detectCheckChanges } from '../judge/check-changes';
import { packageScriptOf } from '../judge/detect-test-command';
import { redactJson } from '@qoder-orch/spec';
import { runVerification } from '../judge/run-verification';
import { filesOverlap } from '@qoder-orch/spec';
import type { Task, VerifyCommand } from '@qoder-orch/spec';
import type { TaskResult, VerificationResult } from '@qoder-orch/spec';
import type { PipelineSteps } from './pipeline-steps';

/** A plan's commands see what an agent sees of the environment, never the orchestrator's secrets. */
const PLAN_COMMAND_ENVIRONMENT = () => ({ env: agentEnvironment(process.env), isEnvironmentInherited: false });

/** A task's verify commands the policy lets run, and records for those it refused (never run). */
export function screenVerify(task: Task, steps: PipelineSteps): { runnable: VerifyCommand[]; refused: (phase: VerificationResult['phase']) => VerificationResult[] } {
  const decide = steps.options.commandDecision;
  if (!decide) return { runnable: task.verify, refused: () => [] };
  const decisions = task.verify.map((command) => ({ command, ...decide(command) }));
  return {
    runnable: decisions.filter((entry) => entry.isAllowed).map((entry) => entry.command),
    refused: (phase) => decisions.filter((entry) => !entry.isAllowed).map((entry) => refusedCheck(entry.command, entry.reason, phase)),
  };
}

/**
 * A task's verify commands, with a call of the project's test script (`npm test`, `pnpm test`)
 * replaced by the script as it read when the run started: an agent can rewrite the script in
 * its own tree, and the check that judges it must not change with it.
 */
export function runTaskChecks(
  verify: readonly VerifyCommand[],
  cwd: string,
  steps: PipelineSteps,
  input: { phase?: 'task' | 'merge'; abortSignal: AbortSignal; environment?: Readonly<Record<string, string>> },
): Promise<VerificationResult[]> {
  const { environment, ...options } = input;
  // The task's own variables (its slot's ports) on top of what an agent may see.
  const planEnvironment = PLAN_COMMAND_ENVIRONMENT();
  const commandEnvironment = environment === undefined ? planEnvironment : { ...planEnvironment, env: { ...planEnvironment.env, ...environment } };
  const pinned = steps.options.pinnedTestCommand;
  if (pinned?.source !== 'package-script') return runVerification(verify, { cwd, ...options, ...commandEnvironment });
  let isReplaced = false;
  const commands = verify.map((command): VerifyCommand => {
    const argv = Array.isArray(command) ? command : command.command;
    if (packageScriptOf(argv) !== 'test') return command;
    isReplaced = true;
    return Array.isArray(command) ? [...pinned.command] : { ...command, command: [...pinned.command] };
  });
  return runVerification(commands, { cwd, ...options, ...commandEnvironment, ...(isReplaced ? { prependPath: [join(cwd, 'node_modules', '.bin'), ...(pinned.prependPath ?? [])] } : {}) });
}

/**
 * What the task's change says about the checks: changes to the checks themselves, and files
 * outside those it declared. Read from git (the task's own diff), surfaced as events and kept
 * in its result for the judge; nothing the agent says enters into it.
 */
export async function changeEvidenceOf(task: Task, prepared: PreparedTask, completed: CompletedTask, steps: PipelineSteps): Promise<Pick<TaskResult, 'checkChanges' | 'undeclaredFiles'>> {
  const { options, events } = steps;
  const evidence: Pick<TaskResult, 'checkChanges' | 'undeclaredFiles'> = {};
  const to = completed.taskCommit ?? completed.commit;
  if (to !== undefined) {
    const from = completed.taskCommit !== undefined ? prepared.baseCommit : `${to}^1`;
    // Script text is the repository's: it may carry a secret, and it is stored and shown.
    const changes = from === undefined ? [] : redactJson(await detectCheckChanges({ cwd: options.projectDir, from, to, taskId: task.id }).catch(() => []), options.secretValues);
    if (changes.length > 0) {
      evidence.checkChanges = changes;
      events.emit('check-change', { taskId: task.id, changes });
    }
  }
  if (task.files.length > 0) {
    const undeclared = completed.filesChanged.filter((file) => !filesOverlap(task.files, [file]) && !filesOverlap(task.files, [relativeToProject(file, options.projectSubdirectory)]));
    if (undeclared.length > 0) {
      evidence.undeclaredFiles = undeclared;
      events.emit('undeclared-change', { taskId: task.id, declared: [...task.files], files: undeclared });
    }
  }
  return evidence;
}

/** A repository-relative path relative to the project directory, when the project is a sub-directory. */
function relativeToProject(file: string, subdirectory: string | undefined): string {
  const prefix = subdirectory ? `${subdirectory}/` : '';
  return prefix && file.startsWith(prefix) ? file.slice(prefix.length) : file;
}
