import { OrchestratorError } from '@qoder-orch/spec';
import { checkRedis, type RedisConnection } from '../connection/redis-connection';

/**
 * Notices a Redis that stays away: while something waits on the queue it PINGs Redis every
 * `intervalMs`; once Redis has not answered for `lossMs`, every wait's `lost` rejects with
 * `QUEUE_UNAVAILABLE` (BullMQ's own connections would wait for it forever).
 */
export class ConnectionWatch {
  readonly #connection: RedisConnection;
  readonly #lossMs: number;
  readonly #intervalMs: number;
  readonly #waiting = new Set<(error: OrchestratorError) => void>();
  #timer: NodeJS.Timeout | undefined;
  #downSince: number | undefined;
  #isChecking = false;

  constructor(connection: RedisConnection, { lossMs, intervalMs }: { lossMs: number; intervalMs: number }) {
    this.#connection = connection;
    this.#lossMs = lossMs;
    this.#intervalMs = intervalMs;
  }

  /** A wait begins: `lost` rejects when Redis is lost; call `release` when the wait ends. */
  watch(): { lost: Promise<never>; release: () => void } {
    let notify: (error: OrchestratorError) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => {
      notify = reject;
    });
    lost.catch(() => undefined);
    this.#waiting.add(notify);
    this.#timer ??= setInterval(() => void this.#check(), this.#intervalMs);
    return {
      lost,
      release: () => {
        this.#waiting.delete(notify);
        if (this.#waiting.size === 0) this.stop();
      },
    };
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#downSince = undefined;
  }

  async #check(): Promise<void> {
    if (this.#isChecking) return;
    this.#isChecking = true;
    try {
      await checkRedis(this.#connection, { timeoutMs: Math.min(this.#intervalMs, 2000) });
      this.#downSince = undefined;
    } catch (error) {
      this.#downSince ??= Date.now();
      if (Date.now() - this.#downSince >= this.#lossMs) {
        const lost = new OrchestratorError({
          code: 'QUEUE_UNAVAILABLE',
          message: `Redis has not answered for ${Math.round((Date.now() - this.#downSince) / 1000)} s: ${(error as Error).message}`,
          fix: 'Bring Redis back, then resume the run (qoder-orchestrate --resume): finished attempts are collected from the queue.',
          cause: error,
        });
        for (const notify of this.#waiting) notify(lost);
        this.#waiting.clear();
        this.stop();
      }
    } finally {
      this.#isChecking = false;
    }
  }
}
