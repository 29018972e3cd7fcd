/**
 * Runs operations one at a time, in the order they were queued. Git operations on the main
 * repository (checkpoints, commits, merges, rollbacks) go through one queue, so parallel tasks
 * never race on HEAD, the index or a ref.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** How many operations are queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /** Queues `operation`; its result (or error) is the returned promise's. A failure does not stop the queue. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    this.#pending += 1;
    const result = this.#tail.then(operation, operation);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.#pending -= 1;
    });
  }

  /** Resolves when everything queued so far has finished. */
  onIdle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}

/**
 * A write that runs one at a time through a {@link SerialQueue}; requests made while one is
 * waiting to start share it, so N changes during a write cost one more write, not N.
 */
export function coalescedWriter(write: () => Promise<void>): { request(): Promise<void>; onIdle(): Promise<void> } {
  const queue = new SerialQueue();
  let waiting: Promise<void> | undefined;
  return {
    request() {
      waiting ??= queue.run(async () => {
        waiting = undefined;
        await write();
      });
      return waiting;
    },
    onIdle: () => queue.onIdle(),
  };
}
