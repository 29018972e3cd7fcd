import { runGit, tryGit } from './git-client';

interface PendingUpdate {
  cwd: string;
  ref: string;
  commit: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Ref updates asked for while a transaction is being written go together in the next one: a
 * burst of task starts, each with its checkpoint ref, costs one or two `update-ref --stdin`
 * processes instead of one each. The first update of a quiet moment is written at once. Each
 * caller's promise settles with its own ref: when a batch's transaction fails, its refs are
 * written one by one and only those git refuses reject.
 */
export class RefUpdateBatches {
  readonly #message: string;
  #pending: PendingUpdate[] = [];
  #isWriting = false;

  constructor(message: string) {
    this.#message = message;
  }

  /** Points `ref` at `commit` in the repository of `cwd`, in the next transaction. */
  update(cwd: string, ref: string, commit: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ cwd, ref, commit, resolve, reject });
      if (!this.#isWriting) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#isWriting = true;
    try {
      while (this.#pending.length > 0) {
        const cwd = (this.#pending[0] as PendingUpdate).cwd;
        const batch = this.#pending.filter((update) => update.cwd === cwd);
        this.#pending = this.#pending.filter((update) => update.cwd !== cwd);
        await this.#write(cwd, batch).catch((error: unknown) => {
          for (const update of batch) update.reject(error);
        });
      }
    } finally {
      this.#isWriting = false;
    }
  }

  async #write(cwd: string, batch: readonly PendingUpdate[]): Promise<void> {
    if (batch.length > 1) {
      const all = await tryGit(cwd, ['update-ref', '-m', this.#message, '--stdin'], { input: batch.map((update) => `update ${update.ref} ${update.commit}\n`).join('') });
      if (all.isOk) {
        for (const update of batch) update.resolve();
        return;
      }
    }
    for (const update of batch) {
      await runGit(cwd, ['update-ref', '-m', this.#message, update.ref, update.commit]).then(
        () => update.resolve(),
        (error: unknown) => update.reject(error),
      );
    }
  }
}
