import type { EventEmitter } from 'eventemitter3';
import { serializeError } from '@qoder-orch/spec';
import type { EventEnvelope, OrchestratorEventMap, OrchestratorEventName, OrchestratorListeners } from '../events/event-map';
import type { Planner } from '../planner/planner';
import type { RunStore } from '../run-store/run-store';
import type { Scheduler } from '../scheduler/scheduler';
import type { SecretRedactor } from '@qoder-orch/spec';

/**
 * Stamps each event with run id, sequence number and time, redacts secret values from it (so
 * listeners, the event log and everything rendered from them never see one), hands it to
 * listeners, and appends it to the run store. A listener that throws never breaks the run; a store that fails is
 * remembered and reported by `storeError`.
 */
export class EventRecorder {
  readonly #emitter: EventEmitter<OrchestratorListeners>;
  readonly #store: Pick<RunStore, 'appendEvent'>;
  readonly #runId: string;
  #seq: number;
  #storeError: unknown;
  #pending: Promise<void> = Promise.resolve();
  readonly #redactor: SecretRedactor | undefined;

  constructor(emitter: EventEmitter<OrchestratorListeners>, store: Pick<RunStore, 'appendEvent'>, runId: string, lastSeq = 0, redactor?: SecretRedactor) {
    this.#emitter = emitter;
    this.#redactor = redactor;
    this.#store = store;
    this.#runId = runId;
    this.#seq = lastSeq;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /** The first failure to persist an event, if any. */
  get storeError(): unknown {
    return this.#storeError;
  }

  emit<K extends OrchestratorEventName>(type: K, payload: OrchestratorEventMap[K]): EventEnvelope<K> {
    this.#seq += 1;
    const stamped = { type, runId: this.#runId, seq: this.#seq, timestamp: new Date().toISOString(), ...payload } as unknown as EventEnvelope<K>;
    const envelope = this.#redactor ? this.#redactor.value(stamped) : stamped;
    const write = this.#store.appendEvent(this.#runId, envelope as EventEnvelope).catch((error: unknown) => {
      this.#storeError ??= error;
    });
    this.#pending = this.#pending.then(() => write);
    for (const name of [type, 'event'] as const) {
      try {
        (this.#emitter.emit as (name: string, event: unknown) => boolean)(name, envelope);
      } catch (error) {
        // A broken listener is the listener's problem; the run goes on and says so once.
        if (type !== 'warning') this.emit('warning', { code: 'LISTENER_ERROR', message: `A listener of "${name}" threw: ${serializeError(error).message}` });
      }
    }
    return envelope;
  }

  /**
   * Records a planner's events as the run's planning events of `iteration`: a later attempt
   * as `plan-start`, a provider retry or a repaired answer as `plan-retry`, the plan as `plan-end`.
   * The first attempt's `plan-start` is the caller's (it is announced before the context is gathered).
   */
  recordPlanner(planner: Planner, iteration: number): void {
    let attempt = 1;
    planner.on('attempt', (event) => {
      attempt = event.attempt;
      if (event.attempt > 1) this.emit('plan-start', { iteration, attempt: event.attempt, timeoutMs: event.timeoutMs });
    });
    planner.on('retry', ({ delayMs, error }) => {
      const serialized = serializeError(error);
      this.emit('plan-retry', { iteration, attempt, reason: 'provider-error', code: serialized.code, message: serialized.message, delayMs });
    });
    planner.on('repair', ({ issues }) => {
      const message =
        issues
          .slice(0, 3)
          .map((issue) => `${issue.path}: ${issue.message}`)
          .join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more)` : '');
      this.emit('plan-retry', { iteration, attempt, reason: 'invalid-answer', code: issues[0]?.kind ?? 'invalid', message, delayMs: 0 });
    });
    // The plan is untrusted model text: the event carries it redacted, like every event.
    planner.on('plan', ({ plan, attempts, usage, costUsd }) => this.emit('plan-end', { iteration, plan, attempts, usage, costUsd }));
  }

  /** Records a scheduler's concurrency changes (rate limits lower it, quiet time raises it). */
  recordScheduler(scheduler: Scheduler): void {
    scheduler.on('concurrency-change', ({ from, to, reason }) => this.emit('concurrency-change', { from, to, reason }));
  }

  /** Waits until every event emitted so far is written (or failed to be). */
  async flush(): Promise<void> {
    await this.#pending;
  }
}
