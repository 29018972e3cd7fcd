import { OrchestratorError } from '@qoder-orch/spec';
import type { Plan, Verdict } from '@qoder-orch/spec';
import type { CommandReview } from '../commands/command-review';
import { type RunState, RunStateSchema, type TaskState, TaskStateSchema } from './run-state';

/** The fields of a run state a change may set: everything but its identity and its tasks. */
export type RunFields = Omit<RunState, 'version' | 'runId' | 'tasks'>;

/** The lists of a run state that only grow: a change carries the items added, not the list. */
export const APPENDED_FIELDS = ['plans', 'verdicts', 'commandReviews'] as const;
export type AppendedField = (typeof APPENDED_FIELDS)[number];

/**
 * What changed in a run state since the last write: the tasks whose state changed (each with
 * its whole new state, which is small), the run-level fields set or removed, and the items
 * appended to the lists that only grow. Applied in order to the state it was taken from, it
 * gives the new state (`applyRunStateChange`). This is what the journal of a run records, so
 * a write costs what changed, not the size of the run.
 */
export interface RunStateChange {
  runId: string;
  tasks?: Record<string, TaskState>;
  set?: RunFieldValues;
  unset?: Array<keyof RunFields>;
  append?: AppendedItems;
}
export type RunFieldValues = Partial<RunFields>;
export interface AppendedItems {
  plans?: Plan[];
  verdicts?: Verdict[];
  commandReviews?: CommandReview[];
}

const FIXED_FIELDS = new Set(['version', 'runId', 'tasks']);
const shape = RunStateSchema.shape as Record<string, { parse(value: unknown): unknown }>;

function invalid(message: string): OrchestratorError {
  return new OrchestratorError({ code: 'RUN_STORE_ERROR', message: `Invalid run state change: ${message}` });
}

function fieldSchema(key: string): { parse(value: unknown): unknown } {
  const schema = shape[key];
  if (!schema || FIXED_FIELDS.has(key)) throw invalid(`the field ${JSON.stringify(key)} cannot be changed`);
  return schema;
}

/**
 * Validates a change at the store's boundary (each task state, each field against the run
 * state's own schema) and returns the validated copy, which the store serialises. Costs the
 * size of the change.
 */
export function parseRunStateChange(change: RunStateChange): RunStateChange {
  if (typeof change?.runId !== 'string') throw invalid('no run id');
  const parsed: RunStateChange = { runId: change.runId };
  if (change.tasks) {
    parsed.tasks = {};
    for (const [taskId, task] of Object.entries(change.tasks)) parsed.tasks[taskId] = TaskStateSchema.parse(task);
  }
  if (change.set) {
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(change.set)) if (value !== undefined) set[key] = fieldSchema(key).parse(value);
    parsed.set = set as RunFieldValues;
  }
  if (change.unset && change.unset.length > 0) {
    for (const key of change.unset) fieldSchema(key);
    parsed.unset = [...change.unset];
  }
  if (change.append) {
    const append: Record<string, unknown[]> = {};
    for (const [key, values] of Object.entries(change.append)) {
      if (!(APPENDED_FIELDS as readonly string[]).includes(key)) throw invalid(`${JSON.stringify(key)} is not a list that grows`);
      if (values === undefined) continue;
      append[key] = fieldSchema(key).parse(values) as unknown[];
    }
    parsed.append = append as AppendedItems;
  }
  return parsed;
}

/** Applies a change to a state in place (the state of the change's run): tasks replaced, fields set or removed, items appended. */
export function applyRunStateChange(state: RunState, change: RunStateChange): RunState {
  for (const [taskId, task] of Object.entries(change.tasks ?? {})) state.tasks[taskId] = task;
  const fields = state as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(change.set ?? {})) if (!FIXED_FIELDS.has(key)) fields[key] = value;
  for (const key of change.unset ?? []) if (!FIXED_FIELDS.has(key)) delete fields[key];
  for (const [key, values] of Object.entries(change.append ?? {})) {
    if (!values) continue;
    const list = (fields[key] as unknown[] | undefined) ?? [];
    list.push(...(values as unknown[]));
    fields[key] = list;
  }
  return state;
}

/** Whether the change changes nothing. */
export function isEmptyRunStateChange(change: RunStateChange): boolean {
  return Object.keys(change.tasks ?? {}).length === 0 && Object.keys(change.set ?? {}).length === 0 && (change.unset ?? []).length === 0 && Object.values(change.append ?? {}).every((values) => !values || values.length === 0);
}
