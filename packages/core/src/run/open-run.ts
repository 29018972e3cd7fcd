import type { EventEmitter } from 'eventemitter3';
import type { OrchestratorListeners } from '../events/event-map';
import { EventRecorder } from './event-recorder';
import type { RunOptions } from '../orchestrator/orchestrator-options';
import type { RunState } from '../run-store/run-state';
import { redactingRunStore } from '../run-store/redacting-run-store';
import type { SecretRedactor } from '@qoder-orch/spec';
import { createDirectoryWorkspace } from '../workspace/directory-workspace';
import type { RunContext, RunSetup } from './run-context';
import { createStateWriter } from './state-writer';
import { usageLimitGateFor, watchUsageLimits } from './usage-limits';

/**
 * Opens one session of a run (a fresh run or a resume) as a {@link RunContext}: the redacting
 * store, the event recorder, the abort controller the user's signal feeds, and the state
 * writer. `close` detaches from the user's signal.
 */
export function openRun(setup: RunSetup, emitter: EventEmitter<OrchestratorListeners>, redactor: SecretRedactor, state: RunState, runOptions: RunOptions, isResume: boolean): { run: RunContext; close: () => void } {
  const store = redactingRunStore(setup.runStore, redactor);
  const events = new EventRecorder(emitter, store, state.runId, state.lastSeq, redactor);
  // Active time of earlier sessions (a state from before it was recorded: its first start to its last write).
  const sessionStartedAt = Date.now();
  const activeBefore = state.activeMs ?? (isResume ? Math.max(0, Date.parse(state.updatedAt) - Date.parse(state.startedAt)) : 0);
  const recordActiveTime = () => {
    state.activeMs = activeBefore + (Date.now() - sessionStartedAt);
  };
  const controller = new AbortController();
  const userSignal = runOptions.abortSignal;
  const onUserAbort = () => controller.abort(userSignal?.reason);
  userSignal?.addEventListener('abort', onUserAbort, { once: true });
  if (userSignal?.aborted) onUserAbort();
  // Writes are serialised and coalesced (changes made while a write is under way go out
  // together in the next one), and each costs what changed, not the size of the run.
  const stateWriter = createStateWriter(store, state, () => {
    state.updatedAt = new Date().toISOString();
    recordActiveTime();
    state.lastSeq = events.lastSeq;
  });
  const run: RunContext = {
    ...setup,
    state,
    runOptions,
    store,
    events,
    redactor,
    secretValues: redactor.values,
    controller,
    signal: controller.signal,
    isResume,
    workspace: createDirectoryWorkspace({ projectDir: setup.projectDir }),
    isBegun: false,
    beginning: undefined,
    subagents: [],
    runCost: Object.values(state.tasks).reduce((sum, task) => sum + (task.result?.costUsd ?? 0), state.overheadCostUsd),
    isBudgetExceeded: false,
    stopError: undefined,
    contractReport: undefined,
    speculation: { started: 0, kept: 0, rerun: 0, abandoned: 0, wastedMs: 0 },
    durationHistory: undefined,
    scheduler: undefined,
    lastRateLimitAt: 0,
    judgeWarmUp: undefined,
    planWarmUp: undefined,
    usageLimitGate: usageLimitGateFor(setup.config),
    usageLimitStop: undefined,
    previousSignature: undefined,
    saveState: (taskId) => stateWriter.save(taskId),
    snapshotState: () => stateWriter.snapshot(),
    recordActiveTime,
  };
  watchUsageLimits(run);
  return { run, close: () => userSignal?.removeEventListener('abort', onUserAbort) };
}
