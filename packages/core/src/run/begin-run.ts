import { OrchestratorError } from '@qoder-orch/spec';
import { ensurePrivateDirectoryExcluded } from '../git/repository';
import { pinTestCommand } from '../judge/detect-test-command';
import { createDurationHistory } from '../scheduler/duration-history';
import { join } from 'node:path';
import type { RunContext } from './run-context';
import { projectCommandsOf } from './run-commands';
import { recordPaths } from './run-records';
import { recoverInterruptedTasks } from './resume-run';
import { runBranchOf } from './run-branch-choice';
import { createPlanner } from './plan-step';
import { restoreUsageLimits } from './usage-limits';

/**
 * Everything before the first plan: the run is created (or its state rewritten on resume)
 * and announced, preflight passes, the workspace begins (or recovers what a killed session
 * left running), the project's commands and test command are read as they are before any
 * agent runs, and the context index is refreshed. In a fresh run the workspace's beginning
 * goes on during the first planning call: it is left in `run.beginning` for the plan step.
 */
export async function beginRun(run: RunContext): Promise<void> {
  const { state, events, config } = run;
  run.workspace = await run.resolveWorkspace();
  const branch = runBranchOf(run);
  if (branch !== undefined) state.branch = branch;
  // The run folder lives in the project: keep it out of git status before writing to it.
  const repository = await run.repository();
  if (repository) await ensurePrivateDirectoryExcluded(repository.commonDir);
  if (run.isResume) await run.saveState();
  else await run.store.createRun(state);
  events.emit('run-start', { objective: state.objective, projectDir: run.projectDir, isResumed: run.isResume });
  // A fresh run's next model call is the first plan's: its provider may start now (an agent CLI
  // takes a second or more to start), beside preflight, the workspace's beginning and the
  // context refresh. The plan step takes it; the run's end cancels it if nothing did.
  if (!run.isResume && config.execution.maxIterations >= 1) run.planWarmUp = createPlanner(run, []).warmUp();
  if (run.isResume) restoreUsageLimits(run);
  run.subagents = await run.loadSubagents();

  if (run.options.preflight && !run.isResume) {
    const completionProviders = [run.options.planProvider, run.options.judgeProvider].filter((provider) => provider !== undefined);
    const report = await run.options.preflight({
      projectDir: run.projectDir,
      provider: run.options.provider,
      ...(completionProviders.length > 0 ? { completionProviders } : {}),
      config,
      subagents: run.subagents,
      abortSignal: run.signal,
    });
    events.emit('preflight-end', { report });
    if (!report.isPassed) {
      const failed = report.checks.filter((check) => check.status === 'fail' || (config.validation.failOnWarnings && check.status === 'warn'));
      throw new OrchestratorError({
        code: 'PREFLIGHT_FAILED',
        message: `Preflight validation failed: ${failed.map((check) => `${check.label}: ${check.message}`).join('; ')}`,
        fix:
          failed
            .map((check) => check.fix)
            .filter(Boolean)
            .join(' ') || 'See the validation report.',
      });
    }
  }

  const begun = beginWorkspace(run, branch);
  if (run.isResume) {
    await begun;
    await refreshContext(run);
    return;
  }
  // A fresh run's first step is a long planning call that changes nothing in the project (a
  // completion without tools): the workspace begins meanwhile, and the plan step waits for it
  // (and stops the planning call if it fails) before anything runs in the workspace.
  let failure: { error: unknown } | undefined;
  begun.catch((error: unknown) => {
    failure = { error };
  });
  run.beginning = begun;
  try {
    await refreshContext(run);
  } catch (error) {
    // The run ends here: the workspace must be begun or failed before the end looks at it.
    await begun.catch(() => {});
    throw error;
  }
  // Failed already (a dirty checkout): no planning call to start and stop.
  if (failure) throw failure.error;
}

/**
 * The workspace begins (or recovers what a killed session left running), and the project's
 * commands, test command and task durations are read as they are before any agent runs.
 */
async function beginWorkspace(run: RunContext, branch: ReturnType<typeof runBranchOf>): Promise<void> {
  const { state, events, config, redactor } = run;
  const begin = await run.workspace
    .begin({
      runId: state.runId,
      isResume: run.isResume,
      allowDirty: config.execution.allowDirty,
      ownPaths: recordPaths(run),
      onTampering: (tampering) => {
        const message = redactor.text(tampering.message);
        events.emit('repository-tampered', { ...tampering, changes: tampering.changes.map((change) => redactor.text(change)), message });
        events.emit('warning', { code: 'REPOSITORY_TAMPERED', message });
      },
      onProvision: (event) => {
        if (event.type === 'warning') events.emit('warning', { code: event.code, message: redactor.text(event.message) });
        else if (event.type === 'provision-start') events.emit('provision-start', withoutType(event));
        else events.emit('provision-finish', withoutType(event));
      },
      ...(branch === undefined ? {} : { branch }),
      abortSignal: run.signal,
    })
    .catch((error: unknown) => {
      // A branch the run never began on is not its own: a resume must not take it (it may be the user's).
      if (!run.isResume) delete state.branch;
      throw error;
    });
  run.isBegun = true;
  if (begin.branch !== undefined) state.branch = { ...state.branch, ...begin.branch };
  for (const warning of begin.warnings) events.emit('warning', { code: 'WORKSPACE', message: warning });
  if (!run.isResume) {
    if (begin.baseCommit) state.baseCommit = begin.baseCommit;
    if (begin.userSnapshot) state.userSnapshot = begin.userSnapshot;
  } else {
    await recoverInterruptedTasks(run);
  }
  // What the project offers to run, read before any agent can change it.
  projectCommandsOf(run.projectDir, state);
  await run.saveState();

  if (run.options.durationHistory !== false) {
    run.durationHistory = run.options.durationHistory ?? (await createDurationHistory({ file: join(run.projectDir, '.qoder-orch', 'history', 'durations.json') }));
    for (const warning of run.durationHistory.takeWarnings()) events.emit('warning', warning);
  }
  // The project's own tests are evidence: configured, or found in the project, as they are
  // now. An agent may rewrite the test script later; the run keeps the one it started with.
  if (state.testCommand === undefined) {
    const pinned = await pinTestCommand(run.projectDir, config.execution.testCommand);
    if (pinned) state.testCommand = pinned;
  }
}

/** The context index is brought up to date before the first plan asks it. */
async function refreshContext(run: RunContext): Promise<void> {
  const { events, config } = run;
  if (run.options.context) {
    const refreshed = await run.options.context.refresh({ abortSignal: run.signal });
    events.emit('context-refresh-end', { result: refreshed });
    if (refreshed.ranking === 'lexical' && config.semanticSearch.enabled) {
      events.emit('warning', { code: 'SEMANTIC_SEARCH_UNAVAILABLE', message: 'The embedding model could not be loaded; context is ranked lexically (BM25).' });
    }
  }
}

/** An event's payload without its `type` (the recorder stamps it again). */
function withoutType<Event extends { type: string }>(event: Event): Omit<Event, 'type'> {
  const { type: _type, ...payload } = event;
  return payload;
}
