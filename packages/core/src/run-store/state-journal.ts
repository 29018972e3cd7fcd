import { open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OrchestratorError, syncDirectory } from '@qoder-orch/spec';
import type { RunStateChange } from './run-state-change';

/** The journal of a run's state changes, beside its `state.json` snapshot. */
export const STATE_JOURNAL = 'state-changes.ndjson';
/** The key of `state.json` that names the last journal record the snapshot includes (zod strips it on read). */
export const SNAPSHOT_SEQ_KEY = 'journalSeq';

/** One line of the journal: a change and its sequence number (1, 2, … within the run; never reused). */
export interface JournalRecord {
  seq: number;
  change: Omit<RunStateChange, 'runId'>;
}

/** What a journal holds: its complete records in order, and how long the valid part of the file is. */
export interface JournalContents {
  records: JournalRecord[];
  /** The highest sequence number in the file (0 when empty or missing). */
  lastSeq: number;
  /** Bytes of complete lines; a torn last line (a killed process) starts here. */
  validBytes: number;
  /** Bytes in the file: more than `validBytes` when the last line is torn. */
  bytes: number;
  exists: boolean;
}

/**
 * Reads a journal. Only the last line can be torn (a process killed mid-append); a line that
 * is not a record anywhere else is corruption, and refused.
 */
export async function readJournal(path: string, runId: string): Promise<JournalContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], lastSeq: 0, validBytes: 0, bytes: 0, exists: false };
    throw error;
  }
  const records: JournalRecord[] = [];
  let lastSeq = 0;
  let offset = 0;
  let validBytes = 0;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    if (end === -1) break; // a torn last line: never a complete record
    const line = text.slice(offset, end);
    offset = end + 1;
    if (line.trim() !== '') {
      const record = recordOf(line);
      if (!record) {
        // A complete line that does not parse: the last one may still be a torn write followed by a newline of a later append.
        if (offset >= text.length) break;
        throw new OrchestratorError({ code: 'RUN_STORE_ERROR', message: `A line of the state journal of run ${runId} is not a state change (byte ${validBytes}).` });
      }
      records.push(record);
      lastSeq = Math.max(lastSeq, record.seq);
    }
    validBytes += Buffer.byteLength(line) + 1;
  }
  return { records, lastSeq, validBytes, bytes: Buffer.byteLength(text), exists: true };
}

function recordOf(line: string): JournalRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, ...change } = value as { seq?: unknown };
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) return undefined;
  return { seq, change };
}

/** The journal line of a change: `{"seq":n,…}` and a newline, from the change serialised without its run id. */
export function journalLine(seq: number, body: string): string {
  return body === '{}' ? `{"seq":${seq}}\n` : `{"seq":${seq},${body.slice(1)}\n`;
}

/** The change as it is kept in the journal (its run id is the journal's). */
export function journalBody(change: RunStateChange): string {
  const { runId: _runId, ...rest } = change;
  return JSON.stringify(rest);
}

/**
 * Appends lines and waits until they are on disk (like the state's atomic writes, which fsync):
 * a change is durable when its write resolves. A new file's directory entry is synced too.
 */
export async function appendDurably(path: string, text: string, isNew: boolean): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  if (isNew) await syncDirectory(dirname(path));
}

/** Cuts a journal back to its complete lines, or empties it (after a snapshot). A missing journal is left missing. */
export async function truncateJournal(path: string, bytes: number): Promise<void> {
  try {
    await truncate(path, bytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
