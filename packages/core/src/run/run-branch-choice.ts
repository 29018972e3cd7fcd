import { OrchestratorError } from '@qoder-orch/spec';
import type { RunBranch } from '../git/task-workspace';
import { defaultRunBranch } from '../workspace/run-branch';
import type { RunContext } from './run-context';

/**
 * The branch the run works on (`OrchestratorOptions.branch`), or undefined for the checked-out
 * one. A resumed run keeps the branch it recorded; naming another one, or a branch for a run
 * that started on the checked-out branch, is refused.
 */
export function runBranchOf(run: RunContext): RunBranch | undefined {
  const wanted = run.options.branch;
  const recorded = run.state.branch;
  const name = wanted === true ? defaultRunBranch(run.state.runId) : wanted;
  if (run.isResume) {
    if (name !== undefined && recorded === undefined) {
      throw new OrchestratorError({
        code: 'CONFIG_INVALID',
        message: `Run ${run.state.runId} works on the checked-out branch; it cannot move to a branch of its own when resumed.`,
        fix: 'Resume it without --branch and --pr; push its commits and open a pull request by hand.',
      });
    }
    if (name !== undefined && recorded !== undefined && wanted !== true && name !== recorded.name) {
      throw new OrchestratorError({ code: 'CONFIG_INVALID', message: `Run ${run.state.runId} works on the branch ${recorded.name}, not ${name}.`, fix: `Resume it without --branch, or with --branch ${recorded.name}.` });
    }
    return recorded === undefined ? undefined : { name: recorded.name, ...(recorded.returnTo === undefined ? {} : { returnTo: recorded.returnTo }) };
  }
  if (name === undefined) return undefined;
  if (run.workspace.kind !== 'git') {
    throw new OrchestratorError({ code: 'CONFIG_INVALID', message: `A run branch (${name}) needs a git repository; ${run.projectDir} is not in one.`, fix: 'Run `git init` in the project first, or run without --branch and --pr.' });
  }
  return { name };
}
