import { appendFile, mkdir, readFile, readdir, rm, truncate } from 'node:fs/promises';
import { join, normalize, resolve, sep } from 'node:path';
import { OrchestratorError, SerialQueue } from '@qoder-orch/spec';
import type { EventEnvelope } from '../events/event-map';
import type { Plan } from '@qoder-orch/spec';
import { writeFileAtomic } from '@qoder-orch/spec';
import { type RunState, RunStateSchema } from './run-state';
import { type RunStateChange, applyRunStateChange, parseRunStateChange } from './run-state-change';
import type { RunStore } from './run-store';
import { SNAPSHOT_SEQ_KEY, STATE_JOURNAL, appendDurably, journalBody, journalLine, readJournal, truncateJournal } from './state-journal';

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

/** What the store knows of a run's state journal in this process. */
interface JournalPosition {
  /** The sequence number of the last record written (or included in the snapshot). */
  seq: number;
  exists: boolean;
}

/**
 * Keeps each run in `<directory>/<runId>/`: `state.json` (the last snapshot, atomic),
 * `state-changes.ndjson` (the state changes since that snapshot, append-only, fsynced),
 * `events.ndjson` (append-only; a torn last line from a killed process is ignored on read),
 * `plan.json`, and artifacts (transcripts, logs, reports). Writes are serialised, in order.
 *
 * A state change costs one small appended line, not the whole state. A snapshot
 * (`writeState`) names the last journal record it includes, then empties the journal: killed
 * between the two, the records it includes are skipped on read, so nothing is applied twice
 * and nothing is lost. `readState` is the snapshot plus every newer record.
 */
export class FileRunStore implements RunStore {
  readonly directory: string;
  #queue = new SerialQueue();
  #pendingEvents = new Map<string, string[]>();
  /** Runs whose event log was checked for a torn last line (left by a killed process) in this process. */
  #repairedLogs = new Set<string>();
  /** Runs whose state journal was read (its last record found, a torn last line cut off) in this process. */
  #journals = new Map<string, JournalPosition>();

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
        // A new run starts without a journal (a leftover of an earlier run of this id would apply to it).
        await rm(join(directory, STATE_JOURNAL), { force: true });
        this.#journals.set(state.runId, { seq: 0, exists: false });
        await writeFileAtomic(join(directory, 'state.json'), snapshotText(RunStateSchema.parse(state), 0));
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
        // A failed append may have left part of a line: cut it off before the next one.
        this.#repairedLogs.delete(runId);
        throw storeError(`Cannot append to the event log of run ${runId}`, error);
      }
    });
  }

  /** A snapshot: the whole state, atomically; then the journal it includes is emptied. */
  async writeState(state: RunState): Promise<void> {
    const parsed = RunStateSchema.parse(state);
    return this.#enqueue(async () => {
      try {
        const journal = await this.#journal(state.runId);
        await writeFileAtomic(join(this.runDirectory(state.runId), 'state.json'), snapshotText(parsed, journal.seq));
        if (journal.exists) await truncateJournal(join(this.runDirectory(state.runId), STATE_JOURNAL), 0);
      } catch (error) {
        this.#journals.delete(state.runId);
        throw storeError(`Cannot write the state of run ${state.runId}`, error);
      }
    });
  }

  /** One line appended to the run's state journal, durable when this resolves. */
  async appendStateChange(change: RunStateChange): Promise<void> {
    const body = journalBody(parseRunStateChange(change));
    const { runId } = change;
    const path = join(this.runDirectory(runId), STATE_JOURNAL);
    return this.#enqueue(async () => {
      try {
        const journal = await this.#journal(runId);
        await appendDurably(path, journalLine(journal.seq + 1, body), !journal.exists);
        journal.seq += 1;
        journal.exists = true;
      } catch (error) {
        // Read the journal again before the next write: a failed append may have left part of a line.
        this.#journals.delete(runId);
        throw storeError(`Cannot append to the state journal of run ${runId}`, error);
      }
    });
  }

  /**
   * Where the run's journal stands, read once per process: its last record or the snapshot's,
   * whichever is newer (records are numbered on from there), with a torn last line cut off.
   */
  async #journal(runId: string): Promise<JournalPosition> {
    const known = this.#journals.get(runId);
    if (known) return known;
    const directory = this.runDirectory(runId);
    const path = join(directory, STATE_JOURNAL);
    const contents = await readJournal(path, runId);
    if (contents.bytes > contents.validBytes) await truncateJournal(path, contents.validBytes);
    const snapshot = safeJson(await readFile(join(directory, 'state.json'), 'utf8').catch(() => ''));
    const position = { seq: Math.max(contents.lastSeq, snapshotSeqOf(snapshot)), exists: contents.exists };
    this.#journals.set(runId, position);
    return position;
  }

  /** The last snapshot with every journal record newer than it applied, in order. */
  async readState(runId: string): Promise<RunState | undefined> {
    const directory = this.runDirectory(runId);
    await this.flush();
    let text: string;
    try {
      text = await readFile(join(directory, 'state.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeError(`Cannot read the state of run ${runId}`, error);
    }
    const snapshot = safeJson(text);
    if (isStateLike(snapshot)) {
      const snapshotSeq = snapshotSeqOf(snapshot);
      let journal;
      try {
        journal = await readJournal(join(directory, STATE_JOURNAL), runId);
      } catch (error) {
        throw OrchestratorError.isInstance(error) ? error : storeError(`Cannot read the state journal of run ${runId}`, error);
      }
      for (const record of journal.records) if (record.seq > snapshotSeq) applyRunStateChange(snapshot as unknown as RunState, { runId, ...record.change });
    }
    const parsed = RunStateSchema.safeParse(snapshot);
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

/**
 * `state.json`'s text: the state, led by the number of the last journal record it includes.
 * Compact: a run of thousands of tasks is megabytes, and the file is for the store (read it with `jq`).
 */
function snapshotText(state: RunState, seq: number): string {
  return `${JSON.stringify({ [SNAPSHOT_SEQ_KEY]: seq, ...state })}\n`;
}

function snapshotSeqOf(snapshot: unknown): number {
  const seq = isStateLike(snapshot) ? snapshot[SNAPSHOT_SEQ_KEY] : undefined;
  return typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? seq : 0;
}

function isStateLike(value: unknown): value is Record<string, unknown> & { tasks: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && typeof (value as { tasks?: unknown }).tasks === 'object' && (value as { tasks?: unknown }).tasks !== null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
