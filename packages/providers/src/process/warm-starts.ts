import type { WarmUp } from '@qoder-orch/spec';

interface WarmEntry<T> {
  deliver(input: string | undefined): void;
  result: Promise<T>;
  isSettled: boolean;
  controller: AbortController;
}

/**
 * Runs begun before their input is known (`LLMProviderV1.doWarmUp`), one per key: a CLI's
 * process started early waits on its stdin, and the next call with the same key hands it its
 * prompt instead of starting another. A run that ended before it was taken (it could not start,
 * it crashed) is dropped, and the call starts its own.
 */
export class WarmStarts<T> {
  readonly #entries = new Map<string, WarmEntry<T>>();

  /** Begins `run` for `key` unless one waits already. `run` gets its input as a promise, and the signal that ends it. */
  start(key: string, run: (input: Promise<string | undefined>, abortSignal: AbortSignal) => Promise<T>): WarmUp {
    let entry = this.#entries.get(key);
    if (entry === undefined || entry.isSettled) {
      let deliver: (input: string | undefined) => void = () => undefined;
      const input = new Promise<string | undefined>((resolve) => {
        deliver = resolve;
      });
      const controller = new AbortController();
      const created: WarmEntry<T> = { deliver, result: Promise.resolve(undefined as T), isSettled: false, controller };
      created.result = run(input, controller.signal);
      const settle = () => {
        created.isSettled = true;
        if (this.#entries.get(key) === created) this.#entries.delete(key);
      };
      created.result.then(settle, settle);
      this.#entries.set(key, created);
      entry = created;
    }
    const started = entry;
    return {
      cancel: () => {
        if (this.#entries.get(key) !== started) return;
        this.#entries.delete(key);
        started.deliver(undefined);
      },
    };
  }

  /** The run waiting under `key`, given `input`: its result. `undefined` when none waits. */
  take(key: string, input: string, abortSignal?: AbortSignal): Promise<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.isSettled) return undefined;
    this.#entries.delete(key);
    if (abortSignal?.aborted) entry.controller.abort();
    else abortSignal?.addEventListener('abort', () => entry.controller.abort(), { once: true });
    entry.deliver(input);
    return entry.result;
  }

  /** Keys with a run waiting (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }
}
