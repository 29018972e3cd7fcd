import { appendFile, mkdir, readFile, readdir, truncate } from 'node:fs/promises';
import { join, normalize, resolve, sep } from 'node:path';
import { OrchestratorError, SerialQueue } from '@qoder-orch/spec';
import type { EventEnvelope } from '../events/event-map';
import type { Plan } from '@qoder-orch/spec';
import { writeFileAtomic } from '@qoder-orch/spec';
import { type RunState, RunStateSchema } from './run-state';
import type { RunStore } from './run-store';

export interface FileRunStoreOptions {
  /** The folder that holds one folder per run. Usually `<project>/.qoder-orch/runs`. */
  directory: string;
}

const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function storeError(message: string, cause: unknown): OrchestratorError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const fix = code === 'ENOSPC' ? 'Free disk space, then resume the run.' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'Make the run folder writable (or point the run store elsewhere), then resume the run.' : undefined;
  return new OrchestratorError({ code: 'RUN_STORE_ERROR', message: `${message}${reason}`, cause, ...(fix ? { fix } : {}) });
}

/**
 * Keeps each run in `<directory>/<runId>/`: `state.json` (atomic), `events.ndjson`
 * (append-only; a torn last line from a killed process is ignored on read), `plan.json`,
 * and artifacts (transcripts, logs, reports). Writes are serialised per run, in order.
 */
export class FileRunStore implements RunStore {
  readonly directory: string;
  #queue = new SerialQueue();
  #pendingEvents = new Map<string, string[]>();
  /** Runs whose event log was checked for a torn last line (left by a killed process) in this process. */
  #repairedLogs = new Set<string>();

  constructor(options: FileRunStoreOptions) {
    this.directory = resolve(options.directory);
  }

  runDirectory(runId: string): string {
    if (!RUN_ID_PATTERN.test(runId)) {
      throw new OrchestratorError({ code: 'RUN_NOT_FOUND', message: `Invalid run id ${JSON.stringify(runId)}` });
    }
    return join(this.directory, runId);
  }

  #artifactPath(runId: string, name: string): string {
    const runDirectory = this.runDirectory(runId);
    const path = normalize(join(runDirectory, name));
    if (!path.startsWith(runDirectory + sep)) {
      throw new OrchestratorError({ code: 'PATH_OUTSIDE_PROJECT', message: `Artifact name ${JSON.stringify(name)} leaves the run folder` });
    }
    return path;
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    return this.#queue.run(work);
  }

  async createRun(state: RunState): Promise<void> {
    const directory = this.runDirectory(state.runId);
    await this.#enqueue(async () => {
      try {
        await mkdir(directory, { recursive: true });
        await appendFile(join(directory, 'events.ndjson'), '');
        await writeFileAtomic(join(directory, 'state.json'), `${JSON.stringify(RunStateSchema.parse(state), null, 2)}\n`);
      } catch (error) {
        throw storeError(`Cannot create the run folder ${directory}`, error);
      }
    });
  }

  appendEvent(runId: string, event: EventEnvelope): Promise<void> {
    // Events that arrive while a write is under way go out together in one append.
    const line = `${JSON.stringify(event)}\n`;
    const pending = this.#pendingEvents.get(runId);
    if (pending) {
      pending.push(line);
      return this.#queue.onIdle();
    }
    const batch = [line];
    this.#pendingEvents.set(runId, batch);
    return this.#enqueue(async () => {
      this.#pendingEvents.delete(runId);
      try {
        const path = join(this.runDirectory(runId), 'events.ndjson');
        if (!this.#repairedLogs.has(runId)) {
          await dropTornLastLine(path);
          this.#repairedLogs.add(runId);
        }
        await appendFile(path, batch.join(''));
      } catch (error) {
        throw storeError(`Cannot append to the event log of run ${runId}`, error);
      }
    });
  }

  async writeState(state: RunState): Promise<void> {
    const content = `${JSON.stringify(RunStateSchema.parse(state), null, 2)}\n`;
    return this.#enqueue(async () => {
      try {
        await writeFileAtomic(join(this.runDirectory(state.runId), 'state.json'), content);
      } catch (error) {
        throw storeError(`Cannot write the state of run ${state.runId}`, error);
      }
    });
  }

  async readState(runId: string): Promise<RunState | undefined> {
    const path = join(this.runDirectory(runId), 'state.json');
    await this.flush();
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeError(`Cannot read the state of run ${runId}`, error);
    }
    const parsed = RunStateSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new OrchestratorError({ code: 'RUN_STORE_ERROR', message: `The state file of run ${runId} is not valid: ${parsed.error.issues[0]?.message ?? 'unreadable'}` });
    }
    return parsed.data;
  }

  async readEvents(runId: string): Promise<EventEnvelope[]> {
    const path = join(this.runDirectory(runId), 'events.ndjson');
    await this.flush();
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeError(`Cannot read the events of run ${runId}`, error);
    }
    const events: EventEnvelope[] = [];
    const lines = text.split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const value = safeJson(line);
      if (value === undefined) {
        // Only the last line can be torn (a process killed mid-append); anything else is corruption.
        if (index >= lines.length - 2) break;
        throw new OrchestratorError({ code: 'RUN_STORE_ERROR', message: `Line ${index + 1} of the event log of run ${runId} is not JSON` });
      }
      events.push(value as EventEnvelope);
    }
    return events;
  }

  async writePlan(runId: string, plan: Plan): Promise<void> {
    return this.writeArtifact(runId, 'plan.json', `${JSON.stringify(plan, null, 2)}\n`);
  }

  async listRuns() {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeError(`Cannot list runs in ${this.directory}`, error);
    }
    const runs = [];
    for (const name of names) {
      if (!RUN_ID_PATTERN.test(name)) continue;
      const state = await this.readState(name).catch(() => undefined);
      if (state) runs.push({ runId: state.runId, objective: state.objective, status: state.status, startedAt: state.startedAt, updatedAt: state.updatedAt });
    }
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async writeArtifact(runId: string, name: string, content: string | Uint8Array): Promise<void> {
    const path = this.#artifactPath(runId, name);
    return this.#enqueue(async () => {
      try {
        await mkdir(join(path, '..'), { recursive: true });
        await writeFileAtomic(path, content);
      } catch (error) {
        throw storeError(`Cannot write ${name} of run ${runId}`, error);
      }
    });
  }

  async appendArtifact(runId: string, name: string, content: string): Promise<void> {
    const path = this.#artifactPath(runId, name);
    return this.#enqueue(async () => {
      try {
        await mkdir(join(path, '..'), { recursive: true });
        await appendFile(path, content);
      } catch (error) {
        throw storeError(`Cannot append to ${name} of run ${runId}`, error);
      }
    });
  }

  async readArtifact(runId: string, name: string): Promise<string | undefined> {
    await this.flush();
    try {
      return await readFile(this.#artifactPath(runId, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeError(`Cannot read ${name} of run ${runId}`, error);
    }
  }

  async flush(): Promise<void> {
    await this.#queue.onIdle();
  }
}

/**
 * A process killed mid-append can leave a last line without its newline; appending after it
 * would glue the next event onto it and corrupt the middle of the log. Cut it off first (it
 * never was a complete event).
 */
async function dropTornLastLine(path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (text === '' || text.endsWith('\n')) return;
  await truncate(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
