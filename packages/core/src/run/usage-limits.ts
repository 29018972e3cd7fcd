import { OrchestratorError, ProviderError } from '@qoder-orch/spec';
import type { Config } from '../config/config-schema';
import { UsageLimitGate, type UsageLimitPause } from '../pipeline/usage-limit-gate';
import type { RunContext } from './run-context';

/** The gate of a run, from `retry.on_usage_limit`, `retry.usage_limit_wait_seconds` and `retry.usage_limit_margin_seconds`. */
export function usageLimitGateFor(config: Config): UsageLimitGate {
  return new UsageLimitGate({ onUsageLimit: config.retry.onUsageLimit, defaultWaitMs: config.retry.usageLimitWaitSeconds * 1000, marginMs: config.retry.usageLimitMarginSeconds * 1000 });
}

function recordPause(run: RunContext, pause: UsageLimitPause): void {
  const others = (run.state.usageLimits ?? []).filter((entry) => entry.providerId !== pause.providerId);
  run.state.usageLimits = [...others, { providerId: pause.providerId, resumesAt: pause.resumesAt.toISOString(), ...(pause.resetsAt ? { resetsAt: pause.resetsAt.toISOString() } : {}), reason: pause.reason }];
}

/**
 * Ties the run's usage-limit gate to the run: each pause is an event (`run-paused`, with when
 * work continues) and is kept in the run state, so a run stopped or killed meanwhile waits for
 * the same time when resumed; the end of a pause is `run-resumed`. With `onUsageLimit: 'exit'`
 * a new pause stops the run (resumable); a pause restored by `--resume` is waited out.
 */
export function watchUsageLimits(run: RunContext): void {
  const gate = run.usageLimitGate;
  gate.on('pause', ({ onUsageLimit, isRestored, ...pause }) => {
    recordPause(run, pause);
    run.events.emit('run-paused', {
      providerId: pause.providerId,
      reason: pause.reason,
      resumesAt: pause.resumesAt.toISOString(),
      ...(pause.resetsAt ? { resetsAt: pause.resetsAt.toISOString() } : {}),
      onUsageLimit: isRestored ? 'wait' : onUsageLimit,
    });
    void run.saveState().catch(() => {});
    if (onUsageLimit === 'exit' && !isRestored && !run.usageLimitStop) {
      run.usageLimitStop = pause;
      run.controller.abort(new OrchestratorError({ code: 'USAGE_LIMIT', message: `${pause.providerId} reached its usage limit; resume after ${pause.resumesAt.toISOString()}.` }));
    }
  });
  gate.on('resume', ({ providerId, pausedMs }) => {
    run.state.usageLimits = (run.state.usageLimits ?? []).filter((entry) => entry.providerId !== providerId);
    run.events.emit('run-resumed', { providerId, pausedMs });
    void run.saveState().catch(() => {});
  });
}

/** A resumed run puts back the pauses its state holds: its tasks wait for them before they start. */
export function restoreUsageLimits(run: RunContext): void {
  for (const entry of run.state.usageLimits ?? []) {
    run.usageLimitGate.restore({ providerId: entry.providerId, resumesAt: new Date(entry.resumesAt), ...(entry.resetsAt ? { resetsAt: new Date(entry.resetsAt) } : {}), reason: entry.reason });
  }
  // Pauses already over are dropped from the state.
  const live = new Set(run.usageLimitGate.pauses().map((pause) => pause.providerId));
  if (run.state.usageLimits) run.state.usageLimits = run.state.usageLimits.filter((entry) => live.has(entry.providerId));
}

/**
 * A usage limit outside the tasks (planning, judging) cannot be waited out inside a step: the
 * run stops resumable, with the pause in its state. Returns whether `error` was one.
 */
export function stopForUsageLimit(run: RunContext, error: unknown): boolean {
  if (!ProviderError.isInstance(error) || error.code !== 'USAGE_LIMIT') return false;
  const pause = run.usageLimitGate.hit(error);
  run.usageLimitStop ??= pause;
  recordPause(run, pause);
  return true;
}

/**
 * A planning or judging call that waits out its provider's usage limit (with `onUsageLimit:
 * 'wait'`) and is made again; otherwise the limit ends the run (see {@link stopForUsageLimit}).
 */
export async function waitingOutUsageLimits<T>(run: RunContext, call: () => Promise<T>, signal: AbortSignal = run.signal): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (run.usageLimitGate.onUsageLimit !== 'wait' || !ProviderError.isInstance(error) || error.code !== 'USAGE_LIMIT' || signal.aborted) throw error;
      run.usageLimitGate.hit(error);
      await run.usageLimitGate.wait(error.providerId, signal);
    }
  }
}
