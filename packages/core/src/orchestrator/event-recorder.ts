import type { EventEmitter } from 'eventemitter3';
import { serializeError } from '@qoder-orch/spec';
import type { EventEnvelope, OrchestratorEventMap, OrchestratorEventName, OrchestratorListeners } from '../events/event-map';
import type { RunStore } from '../run-store/run-store';
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

  /** Waits until every event emitted so far is written (or failed to be). */
  async flush(): Promise<void> {
    await this.#pending;
  }
}
