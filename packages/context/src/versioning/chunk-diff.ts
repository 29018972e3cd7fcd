/** What a version log entry names of a chunk. */
export interface ChunkRef {
  id: string;
  source: string;
  heading?: string;
}

export interface ChunkDiff {
  added: ChunkRef[];
  /** Same source and heading, new content: `previousId` is the content it replaced. */
  modified: Array<ChunkRef & { previousId: string }>;
  removed: ChunkRef[];
  unchanged: ChunkRef[];
}

const slotOf = (chunk: ChunkRef) => `${chunk.source}\0${chunk.heading ?? ''}`;

/**
 * Compares two sets of chunks by content hash. A chunk whose id is new but whose source and
 * heading existed before (and lost a chunk) is `modified`; the rest are `added` / `removed`.
 */
export function diffChunks(previous: readonly ChunkRef[], next: readonly ChunkRef[]): ChunkDiff {
  const previousIds = new Set(previous.map((chunk) => chunk.id));
  const nextIds = new Set(next.map((chunk) => chunk.id));
  const gone = new Map<string, ChunkRef[]>();
  for (const chunk of previous) {
    if (nextIds.has(chunk.id)) continue;
    const slot = slotOf(chunk);
    gone.set(slot, [...(gone.get(slot) ?? []), chunk]);
  }
  const diff: ChunkDiff = { added: [], modified: [], removed: [], unchanged: [] };
  for (const chunk of next) {
    if (previousIds.has(chunk.id)) {
      diff.unchanged.push(chunk);
      continue;
    }
    const replaced = gone.get(slotOf(chunk))?.shift();
    if (replaced) diff.modified.push({ ...chunk, previousId: replaced.id });
    else diff.added.push(chunk);
  }
  for (const chunks of gone.values()) diff.removed.push(...chunks);
  return diff;
}
