/** How an operation is queued. */
export interface SerialQueueRunOptions {
  /**
   * Goes before every operation queued without it that has not started yet (after the urgent
   * ones already waiting): for short steps that something else waits on, such as a task's start
   * behind merges that can as well run after it.
   */
  isUrgent?: boolean;
}

interface QueuedOperation {
  start: () => void;
  isUrgent: boolean;
}

/**
 * Runs operations one at a time, in the order they were queued (urgent ones first among those
 * still waiting). Git operations on the main repository (checkpoints, commits, merges,
 * rollbacks) go through one queue, so parallel tasks never race on HEAD, the index or a ref.
 */
export class SerialQueue {
  readonly #waiting: QueuedOperation[] = [];
  /** Settles when each queued or running operation has finished, whatever its outcome. */
  readonly #finishing = new Set<Promise<void>>();
  #isBusy = false;

  /** How many operations are queued or running. */
  get pending(): number {
    return this.#finishing.size;
  }

  /** Queues `operation`; its result (or error) is the returned promise's. A failure does not stop the queue. */
  run<T>(operation: () => Promise<T>, options: SerialQueueRunOptions = {}): Promise<T> {
    let start!: () => void;
    const result = new Promise<T>((resolve, reject) => {
      start = () => {
        let running: Promise<T>;
        try {
          running = Promise.resolve(operation());
        } catch (error) {
          running = Promise.reject(error);
        }
        running.then(resolve, reject);
      };
    });
    const finished: Promise<void> = result.then(
      () => undefined,
      () => undefined,
    );
    this.#finishing.add(finished);
    void finished.then(() => {
      this.#finishing.delete(finished);
      this.#next();
    });
    const queued = { start, isUrgent: options.isUrgent === true };
    const firstNotUrgent = queued.isUrgent ? this.#waiting.findIndex((waiting) => !waiting.isUrgent) : -1;
    if (firstNotUrgent === -1) this.#waiting.push(queued);
    else this.#waiting.splice(firstNotUrgent, 0, queued);
    if (!this.#isBusy) {
      this.#isBusy = true;
      // Started on a later tick, never inside the caller's `run` (as a promise chain would).
      queueMicrotask(() => this.#next());
    }
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  onIdle(): Promise<void> {
    return Promise.all([...this.#finishing]).then(() => undefined);
  }

  #next(): void {
    const queued = this.#waiting.shift();
    if (queued === undefined) {
      this.#isBusy = false;
      return;
    }
    this.#isBusy = true;
    queued.start();
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
