import type { ContextChunk } from '@qoder-orch/spec';
import { z } from 'zod';
import { writeFileAtomicCreatingFolder } from '../files/atomic-write';
import { readJsonFile } from '../files/read-json';

const IndexStateSchema = z.object({
  format: z.literal(1),
  seq: z.number().int().nonnegative(),
  version: z.string(),
  chunks: z.array(z.object({ id: z.string(), source: z.string(), heading: z.string().optional(), since: z.number().int().nonnegative() })),
});

/** What was indexed last time, so the next refresh (in this process or another) diffs against it. */
export type IndexState = z.infer<typeof IndexStateSchema>;

/** The persisted state as the store keeps it: chunk stubs (no text) and the version each appeared in. */
export interface RestoredIndexState {
  seq: number;
  version: string;
  since: Map<string, number>;
  chunks: Map<string, ContextChunk>;
}

export async function readIndexState(path: string): Promise<RestoredIndexState | undefined> {
  const state = await readJsonFile(path, IndexStateSchema);
  if (!state) return undefined;
  return {
    seq: state.seq,
    version: state.version,
    since: new Map(state.chunks.map((chunk) => [chunk.id, chunk.since])),
    chunks: new Map(state.chunks.map((chunk) => [chunk.id, { id: chunk.id, source: chunk.source, ...(chunk.heading === undefined ? {} : { heading: chunk.heading }), kind: 'other', text: '' }])),
  };
}

export async function writeIndexState(path: string, seq: number, version: string, chunks: readonly ContextChunk[], since: ReadonlyMap<string, number>): Promise<void> {
  const state: IndexState = {
    format: 1,
    seq,
    version,
    chunks: chunks.map((chunk) => ({ id: chunk.id, source: chunk.source, ...(chunk.heading === undefined ? {} : { heading: chunk.heading }), since: since.get(chunk.id) ?? seq })),
  };
  await writeFileAtomicCreatingFolder(path, JSON.stringify(state));
}
