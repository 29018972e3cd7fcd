import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { contentHash } from '../files/content-hash';
import type { ChunkDiff } from './chunk-diff';

const ChunkRefSchema = z.object({ id: z.string(), source: z.string(), heading: z.string().optional() });

export const ContextVersionSchema = z.object({
  /** `<seq>-<fingerprint>`: the sequence number, then a hash of every chunk id indexed. */
  version: z.string(),
  seq: z.number().int().nonnegative(),
  previous: z.string().optional(),
  createdAt: z.string(),
  added: z.array(ChunkRefSchema),
  modified: z.array(ChunkRefSchema.extend({ previousId: z.string() })),
  removed: z.array(ChunkRefSchema),
});

/** One entry of the version log: what one refresh changed, chunk by chunk. */
export type ContextVersion = z.infer<typeof ContextVersionSchema>;

/** The version id of a set of chunks at a sequence number. */
export function versionId(seq: number, chunkIds: readonly string[]): string {
  return `${seq}-${contentHash([...chunkIds].sort(), 12)}`;
}

function withoutUndefinedHeading<T extends { heading?: string | undefined }>(chunk: T): T {
  if (chunk.heading !== undefined) return chunk;
  const { heading: _heading, ...rest } = chunk;
  return rest as T;
}

/** Builds the log entry for a diff. */
export function versionEntry(seq: number, chunkIds: readonly string[], diff: ChunkDiff, previous: string | undefined, now = new Date()): ContextVersion {
  return {
    version: versionId(seq, chunkIds),
    seq,
    ...(previous === undefined ? {} : { previous }),
    createdAt: now.toISOString(),
    added: diff.added.map(withoutUndefinedHeading),
    modified: diff.modified.map(withoutUndefinedHeading),
    removed: diff.removed.map(withoutUndefinedHeading),
  };
}

/** Appends one entry as a line of NDJSON. */
export async function appendVersion(path: string, entry: ContextVersion): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(entry)}\n`);
}

/** Every entry of the log, oldest first; lines that do not parse (a torn last line) are skipped. */
export async function readVersionLog(path: string): Promise<ContextVersion[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const entries: ContextVersion[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = ContextVersionSchema.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // torn line
    }
  }
  return entries;
}
