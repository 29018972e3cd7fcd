import type { EventEnvelope } from '../events/event-map';
import type { Plan } from '@qoder-orch/spec';
import type { RunState } from './run-state';
import type { RunStateChange } from './run-state-change';

/**
 * Where runs are kept. An abstract contract with a memory and a file implementation, held
 * to one conformance suite (`runStoreConformance` in `@qoder-orch/core/test`).
 *
 * Every write is durable when its promise resolves; `writeState` is atomic (a reader sees
 * the old or the new state, never a mix); events are append-only and kept in `seq` order.
 *
 * A store may also take state changes (`appendStateChange`): what changed since the last
 * write, so a write costs the change and not the whole run. `readState` is then the last
 * `writeState` (or `createRun`) with every change appended after it applied in order. A store
 * without it is given the whole state on every change.
 */
export interface RunStore {
  createRun(state: RunState): Promise<void>;
  appendEvent(runId: string, event: EventEnvelope): Promise<void>;
  writeState(state: RunState): Promise<void>;
  /** Optional: records one change of the state written last (see `applyRunStateChange`); durable when it resolves. */
  appendStateChange?(change: RunStateChange): Promise<void>;
  /** `undefined` when the run does not exist. */
  readState(runId: string): Promise<RunState | undefined>;
  readEvents(runId: string): Promise<EventEnvelope[]>;
  writePlan(runId: string, plan: Plan): Promise<void>;
  /** Newest first. */
  listRuns(): Promise<Array<Pick<RunState, 'runId' | 'objective' | 'status' | 'startedAt' | 'updatedAt'>>>;
  /** Per-task transcripts, logs and reports, by file name inside the run. */
  writeArtifact(runId: string, name: string, content: string | Uint8Array): Promise<void>;
  appendArtifact(runId: string, name: string, content: string): Promise<void>;
  readArtifact(runId: string, name: string): Promise<string | undefined>;
  /** Wait until every write started so far is durable. */
  flush(): Promise<void>;
}
