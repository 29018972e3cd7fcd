import type { AgentEvent, CheckOptions, CheckResult, CompleteOptions, CompleteResult, LLMProviderV1, RunTaskOptions, RunTaskResult, Usage, WarmUp, WarmUpOptions } from '@qoder-orch/spec';
import { redactJson, secretValuesFrom, serializeError, type SerializedError } from '@qoder-orch/spec';
import { TypedEmitter } from '../shared/typed-emitter';

/** What an {@link LLMProvider} reports about the calls made through it. */
export interface LLMProviderEvents {
  /** A completion (planning, judging) starts. */
  'complete-start': { providerId: string; purpose: CompleteOptions['purpose'] };
  /** A completion answered. */
  'complete-finish': { providerId: string; purpose: CompleteOptions['purpose']; usage: Usage; costUsd?: number; durationMs: number };
  /** An agentic turn on a task starts in `cwd`. */
  'task-start': { providerId: string; taskId: string; cwd: string };
  /** Something the agent did while working (text, a tool call, a retry of its own). */
  'agent-event': { providerId: string; taskId: string; event: AgentEvent };
  /** The agent finished its turn. Its summary is a claim, not evidence. */
  'task-finish': { providerId: string; taskId: string; usage: Usage; costUsd?: number; durationMs: number };
  /** A completion, a task turn or a check failed; the call rejects with the same error. */
  failure: { providerId: string; call: 'complete' | 'run-task' | 'check'; taskId?: string; error: SerializedError; durationMs: number };
  /** The provider's own check (installed, version, authenticated) answered. */
  check: { providerId: string; result: CheckResult };
}

export interface LLMProviderOptions {
  /**
   * Values never to appear in an event payload (agent text, error messages), in any encoding.
   * @default the secret-looking variables of `process.env`
   */
  secretValues?: readonly string[];
}

/**
 * A provider with events: wraps any {@link LLMProviderV1} (the spec provider authors implement,
 * from `@qoder-orch/spec`) and is one itself, so it goes wherever a provider does
 * (`createOrchestrator({ provider })`, `new Planner({ provider })`, a `TaskPipeline`). Every
 * call is passed through unchanged; what it did is emitted.
 *
 * ```ts
 * const provider = new LLMProvider(createClaudeCli());
 * provider.on('task-finish', ({ taskId, costUsd }) => console.log(taskId, costUsd));
 * ```
 *
 * Payloads are redacted (`secretValues`) before any listener sees them.
 */
export class LLMProvider extends TypedEmitter<LLMProviderEvents> implements LLMProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly providerId: string;
  readonly doCheck?: (options: CheckOptions) => Promise<CheckResult>;
  readonly #inner: LLMProviderV1;
  readonly #secretValues: readonly string[];

  constructor(provider: LLMProviderV1, options: LLMProviderOptions = {}) {
    super();
    this.#secretValues = options.secretValues ?? secretValuesFrom(process.env);
    if (provider?.specificationVersion !== 'v1') throw new TypeError(`LLMProvider wraps a provider of specification v1 (got ${String(provider?.specificationVersion)})`);
    this.#inner = provider;
    this.providerId = provider.providerId;
    const check = provider.doCheck?.bind(provider);
    if (check) {
      this.doCheck = async (options) => {
        const startedAt = Date.now();
        try {
          const result = await check(options);
          this.#report('check', { providerId: this.providerId, result });
          return result;
        } catch (error) {
          this.#report('failure', { providerId: this.providerId, call: 'check', error: serializeError(error), durationMs: Date.now() - startedAt });
          throw error;
        }
      };
    }
  }

  #report<K extends keyof LLMProviderEvents>(name: K, payload: LLMProviderEvents[K]): void {
    if (this.listenerCount(name) === 0) return;
    (this.emit as (name: K, payload: LLMProviderEvents[K]) => boolean)(name, redactJson(payload, this.#secretValues));
  }

  /** The wrapped provider. */
  get provider(): LLMProviderV1 {
    return this.#inner;
  }

  /** The wrapped provider's warm-up (see `LLMProviderV1.doWarmUp`); a provider without one does nothing. */
  doWarmUp(options: WarmUpOptions): WarmUp {
    return this.#inner.doWarmUp?.(options) ?? { cancel: () => undefined };
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const { providerId } = this;
    const startedAt = Date.now();
    this.#report('complete-start', { providerId, purpose: options.purpose });
    try {
      const result = await this.#inner.doComplete(options);
      this.#report('complete-finish', { providerId, purpose: options.purpose, usage: result.usage, ...costOf(result), durationMs: Date.now() - startedAt });
      return result;
    } catch (error) {
      this.#report('failure', { providerId, call: 'complete', error: serializeError(error), durationMs: Date.now() - startedAt });
      throw error;
    }
  }

  async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
    const { providerId } = this;
    const { taskId } = options;
    const startedAt = Date.now();
    this.#report('task-start', { providerId, taskId, cwd: options.cwd });
    const onEvent = options.onEvent;
    try {
      const result = await this.#inner.doRunTask({
        ...options,
        onEvent: (event) => {
          this.#report('agent-event', { providerId, taskId, event });
          onEvent?.(event);
        },
      });
      this.#report('task-finish', { providerId, taskId, usage: result.usage, ...costOf(result), durationMs: result.durationMs });
      return result;
    } catch (error) {
      this.#report('failure', { providerId, call: 'run-task', taskId, error: serializeError(error), durationMs: Date.now() - startedAt });
      throw error;
    }
  }
}

const costOf = (result: { costUsd?: number }) => (result.costUsd === undefined ? {} : { costUsd: result.costUsd });
