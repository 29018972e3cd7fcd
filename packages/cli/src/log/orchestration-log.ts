import { type EventEnvelope, redactOutput, type RunStore } from '@qoder-orch/core';
import { describeActivity } from '../render/format';

/** The artifact name of the detailed log in the run folder. */
export const ORCHESTRATION_LOG = 'orchestration.log';

function summaryOf(event: EventEnvelope): string {
  switch (event.type) {
    case 'task-output':
      return `${event.taskId} ${event.event.type}: ${describeActivity(event.event)}`;
    case 'task-start':
      return `${event.taskId} started [${event.agent}] attempt ${event.attempt} slot ${event.slot} in ${event.cwd}`;
    case 'task-end':
      return `${event.taskId} ${event.result.status} after ${event.result.attempts} attempt(s)${event.result.error ? `: ${event.result.error.code} ${event.result.error.message}` : ''}`;
    case 'task-retry':
      return `${event.taskId} retry attempt ${event.attempt} in ${event.delayMs}ms: ${event.error.code} ${event.error.message}`;
    case 'warning':
      return `${event.code}: ${event.message}`;
    case 'check-change':
      return `${event.taskId} changed the checks: ${event.changes.map((change) => `${change.path}: ${change.detail}`).join('; ')}`;
    case 'undeclared-change':
      return `${event.taskId} changed undeclared files: ${event.files.join(', ')}`;
    case 'conflict-kept':
      return `${event.taskId} conflicted in ${event.files.join(', ')}; its work is kept at ${event.ref}`;
    case 'run-paused':
      return `paused ${event.providerId} (usage limit, ${event.onUsageLimit}) until ${event.resumesAt}: ${event.reason}`;
    case 'run-resumed':
      return `resumed ${event.providerId} after ${Math.round(event.pausedMs / 1000)}s`;
    case 'run-end':
      return `run ${event.summary.status} (${event.summary.stopReason})`;
    default:
      return '';
  }
}

export interface OrchestrationLogOptions {
  runStore: RunStore;
  /** Values never written (tokens, keys): see `secretValuesFrom`. */
  secretValues: readonly string[];
}

/**
 * Writes `orchestration.log` in the run folder: one line per event, timestamped, with a short
 * description and the full payload as JSON, secrets redacted. Writes are queued in order and
 * never stop the run; `flush()` waits for them and reports the first failure.
 */
export class OrchestrationLog {
  readonly #options: OrchestrationLogOptions;
  #pending: Promise<void> = Promise.resolve();
  #buffer: string[] = [];
  #runId: string | undefined;
  #failure: unknown;

  constructor(options: OrchestrationLogOptions) {
    this.#options = options;
  }

  /** Records one event. The run id comes from the events themselves. */
  handle(event: EventEnvelope): void {
    this.#runId ??= event.runId;
    const { type, runId: _runId, seq, timestamp, ...payload } = event;
    const summary = summaryOf(event);
    const line = `${timestamp} #${seq} ${type}${summary ? ` ${summary}` : ''} ${JSON.stringify(payload)}`;
    this.#buffer.push(`${redactOutput(line, this.#options.secretValues).replace(/\r?\n/g, '\\n')}\n`);
    if (this.#buffer.length === 1) this.#pending = this.#pending.then(() => this.#write());
  }

  /** Adds a free-form line (e.g. the final error). */
  note(timestamp: string, text: string): void {
    if (!this.#runId) return;
    this.#buffer.push(`${timestamp} ${redactOutput(text, this.#options.secretValues).replace(/\r?\n/g, '\\n')}\n`);
    if (this.#buffer.length === 1) this.#pending = this.#pending.then(() => this.#write());
  }

  async flush(): Promise<void> {
    await this.#pending;
    if (this.#buffer.length > 0) await this.#write();
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #write(): Promise<void> {
    const runId = this.#runId;
    if (!runId || this.#buffer.length === 0) return;
    const text = this.#buffer.join('');
    this.#buffer = [];
    try {
      await this.#options.runStore.appendArtifact(runId, ORCHESTRATION_LOG, text);
    } catch (error) {
      this.#failure ??= error;
    }
  }
}
