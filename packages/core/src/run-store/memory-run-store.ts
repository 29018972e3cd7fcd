import { OrchestratorError } from '@qoder-orch/spec';
import type { EventEnvelope } from '../events/event-map';
import type { Plan } from '@qoder-orch/spec';
import { type RunState, RunStateSchema } from './run-state';
import { type RunStateChange, applyRunStateChange, parseRunStateChange } from './run-state-change';
import type { RunStore } from './run-store';

interface MemoryRun {
  state: RunState;
  events: EventEnvelope[];
  artifacts: Map<string, string>;
}

/** Keeps runs in memory: for tests, and for scripts that do not want files. */
export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, MemoryRun>();

  #run(runId: string): MemoryRun {
    const run = this.#runs.get(runId);
    if (!run) throw new OrchestratorError({ code: 'RUN_NOT_FOUND', message: `No run ${runId}` });
    return run;
  }

  async createRun(state: RunState): Promise<void> {
    this.#runs.set(state.runId, { state: structuredClone(RunStateSchema.parse(state)), events: [], artifacts: new Map() });
  }

  async appendEvent(runId: string, event: EventEnvelope): Promise<void> {
    this.#run(runId).events.push(structuredClone(event));
  }

  async writeState(state: RunState): Promise<void> {
    this.#run(state.runId).state = structuredClone(RunStateSchema.parse(state));
  }

  async appendStateChange(change: RunStateChange): Promise<void> {
    // The parsed change is a copy: the caller's objects are never shared with the stored state.
    applyRunStateChange(this.#run(change.runId).state, parseRunStateChange(change));
  }

  async readState(runId: string): Promise<RunState | undefined> {
    const run = this.#runs.get(runId);
    return run ? structuredClone(run.state) : undefined;
  }

  async readEvents(runId: string): Promise<EventEnvelope[]> {
    return structuredClone(this.#runs.get(runId)?.events ?? []);
  }

  async writePlan(runId: string, plan: Plan): Promise<void> {
    this.#run(runId).artifacts.set('plan.json', `${JSON.stringify(plan, null, 2)}\n`);
  }

  async listRuns() {
    return [...this.#runs.values()]
      .map(({ state }) => ({ runId: state.runId, objective: state.objective, status: state.status, startedAt: state.startedAt, updatedAt: state.updatedAt }))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async writeArtifact(runId: string, name: string, content: string | Uint8Array): Promise<void> {
    this.#run(runId).artifacts.set(name, typeof content === 'string' ? content : Buffer.from(content).toString('utf8'));
  }

  async appendArtifact(runId: string, name: string, content: string): Promise<void> {
    const artifacts = this.#run(runId).artifacts;
    artifacts.set(name, (artifacts.get(name) ?? '') + content);
  }

  async readArtifact(runId: string, name: string): Promise<string | undefined> {
    return this.#runs.get(runId)?.artifacts.get(name);
  }

  async flush(): Promise<void> {}
}
