import { rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SerialQueue } from '@qoder-orch/spec';

/**
 * The folder, inside a repository's worktree folder, that holds its pool of reusable task
 * worktrees (`<folder>/.pool/<k>`). No run's folder can have this name: `refComponent` never
 * starts a component with a dot.
 */
export const POOL_FOLDER = '.pool';

/** What the pool needs to know of a worktree git lists. */
export interface PoolListing {
  path: string;
  branch?: string;
  isLocked: boolean;
  isPrunable: boolean;
  isPoolSlot?: boolean;
}

/** A slot taken for a task: its path, whether it must be created, and the queue its git work goes through. */
export interface SlotReservation {
  path: string;
  /** The slot does not exist yet: the caller adds the worktree. */
  isNew: boolean;
  queue: SerialQueue;
}

/**
 * The slots of a repository's worktree pool that this process uses: which are taken (by a task
 * being prepared, running or being released) and one queue per slot, so that the git work of
 * different slots runs side by side while each slot's steps stay in order.
 *
 * A slot is idle when git lists it with a detached HEAD and no task of this process holds it: a
 * slot on a branch belongs to a task (of this run, or of a crashed one, for `cleanLeftovers`).
 * Taking a slot is serialised (two tasks never get the same one); nothing else is.
 */
export class WorktreePool {
  /** `<worktree folder>/.pool`. */
  readonly directory: string;
  readonly #taken = new Set<string>();
  readonly #queues = new Map<string, SerialQueue>();
  readonly #selection = new SerialQueue();
  /** Slots this process released (detached), and idle slots the last listing showed: taken next without asking git for its list, once checked idle. */
  readonly #released = new Set<string>();

  constructor(worktreeFolder: string) {
    this.directory = join(worktreeFolder, POOL_FOLDER);
  }

  /** The queue of a slot's git work. */
  queueOf(path: string): SerialQueue {
    let queue = this.#queues.get(path);
    if (queue === undefined) {
      queue = new SerialQueue();
      this.#queues.set(path, queue);
    }
    return queue;
  }

  /** Whether a task of this process holds the slot. */
  isTaken(path: string): boolean {
    return this.#taken.has(path);
  }

  /**
   * Takes an idle slot (the lowest-numbered one), or reserves the path of a new one (the lowest
   * number no listed worktree, no taken slot and no folder on disk uses) when none is idle. A
   * slot this process released, or one a listing showed idle, is taken first when `isStillIdle`
   * confirms it (from git's files): no listing then.
   */
  take(list: () => Promise<PoolListing[]>, isStillIdle: (path: string) => Promise<boolean> = async () => false): Promise<SlotReservation> {
    return this.#selection.run(async () => {
      for (const path of [...this.#released].sort((left, right) => slotNumber(left) - slotNumber(right))) {
        this.#released.delete(path);
        if (this.#taken.has(path) || !(await isStillIdle(path))) continue;
        this.#taken.add(path);
        return { path, isNew: false, queue: this.queueOf(path) };
      }
      const slots = (await list()).filter((worktree) => worktree.isPoolSlot === true);
      const [idle, ...otherIdle] = slots.filter((slot) => !slot.isPrunable && !slot.isLocked && slot.branch === undefined && !this.#taken.has(slot.path)).sort((left, right) => slotNumber(left.path) - slotNumber(right.path));
      if (idle !== undefined) {
        this.#taken.add(idle.path);
        // The next takes try the other idle slots the listing showed first, each confirmed from git's files: one listing for a burst of starts.
        for (const slot of otherIdle) this.#released.add(slot.path);
        return { path: idle.path, isNew: false, queue: this.queueOf(idle.path) };
      }
      const used = new Set([...slots.map((slot) => slot.path), ...this.#taken]);
      let number = 1;
      while (used.has(this.slotPath(number))) number += 1;
      const path = this.slotPath(number);
      await setAsideOrphan(path);
      this.#taken.add(path);
      return { path, isNew: true, queue: this.queueOf(path) };
    });
  }

  /** The slot is idle again (its worktree detached, its task's branch settled). */
  free(path: string): void {
    this.#taken.delete(path);
  }

  /** The slot's task is done with it and it is detached again: idle, as this process knows. */
  released(path: string): void {
    this.#taken.delete(path);
    this.#released.add(path);
  }

  /** The slot left the pool (retired with a failed task's work, or removed). */
  forget(path: string): void {
    this.#taken.delete(path);
    this.#released.delete(path);
    this.#queues.delete(path);
  }

  slotPath(number: number): string {
    return join(this.directory, String(number));
  }
}

/** The index (from 0) of the pool slot at `path` (`…/.pool/<k>`, k from 1), or `undefined` for a worktree outside the pool. */
export function poolSlotIndex(path: string): number | undefined {
  if (basename(dirname(path)) !== POOL_FOLDER) return undefined;
  const number = Number(basename(path));
  return Number.isInteger(number) && number >= 1 ? number - 1 : undefined;
}

function slotNumber(path: string): number {
  const number = Number(basename(path));
  return Number.isFinite(number) ? number : Number.MAX_SAFE_INTEGER;
}

/** A folder git no longer knows where a worktree is to go (a crash mid-add): moved aside, never deleted. */
export async function setAsideOrphan(path: string): Promise<void> {
  const isThere = await stat(path).then(
    () => true,
    () => false,
  );
  if (isThere) await rename(path, join(dirname(path), `${basename(path)}.orphan-${Date.now()}`));
}
