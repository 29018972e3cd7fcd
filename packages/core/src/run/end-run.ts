import { serializeError } from '@qoder-orch/spec';
import { buildRunSummary, taskProviderOf } from './run-summary';
import type { RunSummary } from '@qoder-orch/spec';
import type { RunContext, RunEnding } from './run-context';

/**
 * The end of every run, however it ended: the workspace is ended (kept on failure), the
 * context closed, the state marked and saved, unlanded conflicts named, and the summary
 * emitted as `run-end` and returned redacted.
 */
export async function endRun(run: RunContext, ending: RunEnding): Promise<RunSummary> {
  const { state, events, options } = run;
  const { stopReason } = ending;
  const isMet = stopReason === 'met';
  run.judgeWarmUp?.cancel();
  run.planWarmUp?.cancel();
  if (run.isBegun) {
    try {
      const ended = await run.workspace.end({ isSuccess: isMet });
      for (const warning of ended?.warnings ?? []) events.emit('warning', { code: 'WORKSPACE', message: warning });
      if (ended?.branch !== undefined && state.branch !== undefined) state.branch = { ...state.branch, ...ended.branch };
    } catch (error) {
      events.emit('warning', { code: 'WORKSPACE_END', message: serializeError(error).message });
    }
  }
  await options.context?.close?.().catch(() => {});
  await run.durationHistory?.flush().catch(() => {});
  for (const warning of run.durationHistory?.takeWarnings() ?? []) events.emit('warning', warning);
  state.status = isMet ? 'met' : stopReason === 'cancelled' || stopReason === 'usage-limit' ? 'cancelled' : stopReason === 'error' ? 'failed' : 'not-met';
  run.recordActiveTime();
  const stats = options.context?.stats();
  const lookups = stats ? stats.cacheHits + stats.cacheMisses : 0;
  for (const conflict of state.conflicts ?? []) {
    if (!conflict.isLanded)
      events.emit('warning', {
        code: 'CONFLICT_NOT_LANDED',
        message: `The work of task ${conflict.taskId} conflicted and is not on the integration branch; it is kept at ${conflict.ref} (\`git diff ${conflict.baseCommit.slice(0, 12)} ${conflict.ref}\`).`,
      });
  }
  const error = ending.error === undefined ? undefined : serializeError(ending.error);
  const summary = buildRunSummary(state, {
    stopReason,
    isCheckChangeAccepted: run.config.execution.acceptCheckChanges,
    taskProviderOf: taskProviderOf(options, run.subagents),
    endedAt: new Date().toISOString(),
    ...(lookups > 0 ? { cacheHitRate: stats!.cacheHits / lookups } : {}),
    ...(run.speculation.started > 0 ? { speculation: run.speculation } : {}),
    ...(error === undefined ? {} : { error: { code: error.code, message: error.message } }),
  });
  events.emit('run-end', { summary });
  await events.flush();
  try {
    await run.snapshotState();
    await run.store.flush();
  } catch {
    // The summary is still returned; the store error was reported by the event log or the run error.
  }
  return run.redactor.value(summary);
}
