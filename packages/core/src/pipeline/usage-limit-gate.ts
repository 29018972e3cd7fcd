import { EventEmitter } from 'eventemitter3';
import type { ProviderError } from '@qoder-orch/spec';
import { sleep } from '../shared/retry-policy';

/** What a run does when a provider says its subscription's usage limit is reached. */
export type OnUsageLimit = 'wait' | 'exit';

/** A provider paused until its usage limit resets. */
export interface UsageLimitPause {
  providerId: string;
  /** When work for this provider starts again: the reset plus the margin, or now plus the default wait. */
  resumesAt: Date;
  /** The reset time the provider named, when it named one. */
  resetsAt?: Date;
  /** The provider's message (already redacted by the provider). */
  reason: string;
}

export interface UsageLimitGateEvents {
  /** A provider was paused (the first usage limit of a pause, or a later reset that moves it). */
  pause: [UsageLimitPause & { onUsageLimit: OnUsageLimit; isRestored: boolean }];
  /** Its pause ended: work for it starts again. */
  resume: [{ providerId: string; pausedMs: number }];
}

export interface UsageLimitGateOptions {
  /** `wait`: sleep until the reset, then continue. `exit`: the owner stops the run on `pause`. @default 'wait' */
  onUsageLimit?: OnUsageLimit;
  /** The wait when the provider named no reset time. @default 3_600_000 */
  defaultWaitMs?: number;
  /** Added to a named reset time, so the first call after it is not refused again. @default 60_000 */
  marginMs?: number;
  now?: () => number;
}

/** setTimeout's longest delay is 2^31-1 ms; longer waits sleep in steps. */
const MAX_SLEEP_MS = 2 ** 30;

/**
 * Holds back work for providers whose usage limit was reached, each until its reset time (plus
 * a margin) or a default wait. A task about to start, or one whose attempt hit the limit, waits
 * here; tasks of other providers go on. The first waiter to find the time passed ends the pause
 * (`resume`); an AbortSignal ends any wait with its reason.
 */
export class UsageLimitGate extends EventEmitter<UsageLimitGateEvents> {
  readonly onUsageLimit: OnUsageLimit;
  readonly #defaultWaitMs: number;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #pauses = new Map<string, UsageLimitPause & { since: number }>();

  constructor(options: UsageLimitGateOptions = {}) {
    super();
    this.onUsageLimit = options.onUsageLimit ?? 'wait';
    this.#defaultWaitMs = options.defaultWaitMs ?? 3_600_000;
    this.#marginMs = options.marginMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Records a usage limit of `error.providerId`; returns the pause (a later reset moves it later, never earlier). */
  hit(error: Pick<ProviderError, 'providerId' | 'resetsAt' | 'message'>): UsageLimitPause {
    const now = this.#now();
    const resetsAt = error.resetsAt && error.resetsAt.getTime() > now - 86_400_000 ? error.resetsAt : undefined;
    const resumesAt = new Date(resetsAt ? Math.max(now, resetsAt.getTime()) + this.#marginMs : now + this.#defaultWaitMs);
    const current = this.#pauses.get(error.providerId);
    if (current && current.resumesAt.getTime() >= resumesAt.getTime()) return current;
    const pause: UsageLimitPause = { providerId: error.providerId, resumesAt, ...(resetsAt ? { resetsAt } : {}), reason: error.message };
    this.#pauses.set(error.providerId, { ...pause, since: current?.since ?? now });
    this.emit('pause', { ...pause, onUsageLimit: this.onUsageLimit, isRestored: false });
    return pause;
  }

  /** Puts back a pause recorded by an earlier session (a resumed run); one already over is dropped. */
  restore(pause: UsageLimitPause): void {
    if (pause.resumesAt.getTime() <= this.#now()) return;
    this.#pauses.set(pause.providerId, { ...pause, since: this.#now() });
    this.emit('pause', { ...pause, onUsageLimit: this.onUsageLimit, isRestored: true });
  }

  /** The pauses in force. */
  pauses(): UsageLimitPause[] {
    return [...this.#pauses.values()].map(({ since: _since, ...pause }) => pause);
  }

  /** Resolves once `providerId` is not paused; rejects with the signal's reason when it aborts first. */
  async wait(providerId: string, abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      const pause = this.#pauses.get(providerId);
      if (!pause) return;
      const remaining = pause.resumesAt.getTime() - this.#now();
      if (remaining > 0) {
        await sleep(Math.min(remaining, MAX_SLEEP_MS), abortSignal);
        continue;
      }
      this.#pauses.delete(providerId);
      this.emit('resume', { providerId, pausedMs: this.#now() - pause.since });
      return;
    }
  }
}
