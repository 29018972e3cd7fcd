import { coalescedWriter } from '@qoder-orch/spec';
import type { RunState, TaskState } from '../run-store/run-state';
import { APPENDED_FIELDS, type AppendedField, type AppendedItems, type RunFieldValues, type RunFields, type RunStateChange, isEmptyRunStateChange } from '../run-store/run-state-change';
import { RunStateSchema } from '../run-store/run-state';
import type { RunStore } from '../run-store/run-store';

/** Snapshots come at least this many task states (or plan tasks) of changes apart. */
export const MIN_JOURNAL_WEIGHT = 200;

/** The run-level fields, as the state's schema names them. */
const RUN_FIELDS = Object.keys(RunStateSchema.shape).filter((key) => key !== 'version' && key !== 'runId' && key !== 'tasks') as Array<keyof RunFields>;
const isAppended = (key: string): key is AppendedField => (APPENDED_FIELDS as readonly string[]).includes(key);

/** What was written of one run-level field: the value (by reference), its length (a growing list) or its JSON (an object changed in place). */
interface WrittenField {
  value: unknown;
  length?: number;
  json?: string;
}

export interface StateWriter {
  /**
   * Saves the state: serialised, coalesced (changes made while a write is under way go out
   * together in the next one). `taskId`: the change was that task's state (replaced, not
   * changed in place), so the other tasks need not be looked at; without it every task is
   * compared with what was written (by reference).
   */
  save(taskId?: string): Promise<void>;
  /** Saves the whole state (a snapshot), e.g. at the end of a run. */
  snapshot(): Promise<void>;
}

/**
 * Writes a run's state in proportion to what changed: to a store that takes changes, each save
 * appends only the tasks whose state was replaced and the run-level fields that changed (items
 * appended to the lists that only grow); a whole snapshot goes out first, after a failed
 * write, when asked, and once the changes appended since the last one are about as big as it
 * was (counted in task states and plan tasks, at least {@link MIN_JOURNAL_WEIGHT}), so the
 * journal stays about as big as the state and the bytes written stay linear in the run. A store without
 * `appendStateChange` gets the whole state every time. The state is never deep-copied per change.
 *
 * `stamp` runs before each write (update time, active time, last event number).
 */
export function createStateWriter(store: RunStore, state: RunState, stamp: () => void): StateWriter {
  const writtenTasks = new Map<string, TaskState>();
  const writtenFields = new Map<string, WrittenField>();
  const dirtyTasks = new Set<string>();
  let isScanDue = false;
  let isSnapshotDue = true;
  // Sizes in task states (a task's state, or a task of a plan): what the last snapshot held
  // and what the journal has had since. A snapshot is due when the journal is as big.
  let snapshotWeight = 0;
  let journalWeight = 0;

  const remember = (key: string, value: unknown, json?: string): WrittenField => {
    const written: WrittenField = { value };
    if (Array.isArray(value) && isAppended(key)) written.length = value.length;
    else if (typeof value === 'object' && value !== null) written.json = json ?? JSON.stringify(value);
    writtenFields.set(key, written);
    return written;
  };

  const rememberAll = () => {
    writtenTasks.clear();
    for (const [taskId, task] of Object.entries(state.tasks)) writtenTasks.set(taskId, task);
    for (const key of RUN_FIELDS) remember(key, state[key]);
    dirtyTasks.clear();
    isScanDue = false;
  };

  const changeOf = (): RunStateChange => {
    const change: RunStateChange = { runId: state.runId };
    const tasks: Record<string, TaskState> = {};
    const candidates = isScanDue ? Object.keys(state.tasks) : dirtyTasks;
    for (const taskId of candidates) {
      const task = state.tasks[taskId];
      if (task !== undefined && writtenTasks.get(taskId) !== task) {
        tasks[taskId] = task;
        writtenTasks.set(taskId, task);
      }
    }
    dirtyTasks.clear();
    isScanDue = false;
    if (Object.keys(tasks).length > 0) change.tasks = tasks;
    const set: Record<string, unknown> = {};
    const append: Record<string, unknown[]> = {};
    const unset: Array<keyof RunFields> = [];
    for (const key of RUN_FIELDS) {
      const value: unknown = state[key];
      const written = writtenFields.get(key);
      if (value === undefined) {
        if (written?.value !== undefined) unset.push(key);
        remember(key, value);
        continue;
      }
      if (Array.isArray(value) && isAppended(key) && written?.value === value && written.length !== undefined && value.length >= written.length) {
        if (value.length > written.length) append[key] = value.slice(written.length);
        written.length = value.length;
        continue;
      }
      if (written?.value === value && (typeof value !== 'object' || value === null)) continue;
      const json = typeof value === 'object' && value !== null ? JSON.stringify(value) : undefined;
      if (written?.value === value && json !== undefined && written.json === json) continue;
      set[key] = value;
      remember(key, value, json);
    }
    if (Object.keys(set).length > 0) change.set = set as RunFieldValues;
    if (Object.keys(append).length > 0) change.append = append as AppendedItems;
    if (unset.length > 0) change.unset = unset;
    return change;
  };

  const writer = coalescedWriter(async () => {
    stamp();
    if (!store.appendStateChange || isSnapshotDue || journalWeight >= Math.max(MIN_JOURNAL_WEIGHT, snapshotWeight)) {
      isSnapshotDue = false;
      journalWeight = 0;
      snapshotWeight = Object.keys(state.tasks).length + planTasks(state.plans);
      rememberAll();
      // No copy here: the run's store (redacting) copies what it is given when called, so
      // later changes cannot reach a write under way.
      await store.writeState(state).catch((error: unknown) => {
        isSnapshotDue = true;
        throw error;
      });
      return;
    }
    const change = changeOf();
    if (isEmptyRunStateChange(change)) return;
    journalWeight += 1 + Object.keys(change.tasks ?? {}).length + planTasks(change.append?.plans ?? []);
    await store.appendStateChange(change).catch((error: unknown) => {
      // What the store has is unknown: the next write is whole.
      isSnapshotDue = true;
      throw error;
    });
  });

  const planTasks = (plans: readonly { tasks: readonly unknown[] }[]) => plans.reduce((sum, plan) => sum + plan.tasks.length, 0);

  return {
    save(taskId) {
      if (taskId === undefined) isScanDue = true;
      else dirtyTasks.add(taskId);
      return writer.request();
    },
    snapshot() {
      isSnapshotDue = true;
      return writer.request();
    },
  };
}
