import { TASK_ID_PATTERN } from '@qoder-orch/spec';

export const FOLLOW_UP_PREFIX = 'fix-';
const MAX_ID_LENGTH = 64;

/** Hands out follow-up task ids: prefixed, valid, unique against every id already used. */
export class FollowUpIdAllocator {
  readonly #used: Set<string>;

  constructor(reserved: Iterable<string>) {
    this.#used = new Set(reserved);
  }

  allocate(base: string): string {
    const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
    const prefixed = cleaned.startsWith(FOLLOW_UP_PREFIX) ? cleaned : `${FOLLOW_UP_PREFIX}${cleaned || 'task'}`;
    let candidate = prefixed.slice(0, MAX_ID_LENGTH);
    for (let counter = 2; this.#used.has(candidate) || !TASK_ID_PATTERN.test(candidate); counter += 1) {
      const suffix = `-${counter}`;
      candidate = `${prefixed.slice(0, MAX_ID_LENGTH - suffix.length)}${suffix}`;
    }
    this.#used.add(candidate);
    return candidate;
  }
}

/** Whether a follow-up id is named for a task: `fix-<id>`, `fix-check-<id>`, `fix-<id>-2`. */
export function isNamedFor(followUpId: string, taskId: string): boolean {
  const escaped = taskId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^fix-(?:check-)?${escaped}(?:-\\d+)?$`).test(followUpId);
}
