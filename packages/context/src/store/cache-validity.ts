import type { ContextChunk } from '@qoder-orch/spec';
import type { ContextCacheEntry } from '../cache/context-cache';
import type { LexicalRanker } from '../ranking/lexical-ranker';
import { dotProduct } from '../ranking/vector-index';
import type { VectorIndex } from '../ranking/vector-index';
import { embeddingText } from './task-query';

/** What a cached answer is checked against: the index as it is now. */
export interface IndexView {
  seq: number;
  ranking: 'semantic' | 'lexical';
  chunks: ReadonlyMap<string, ContextChunk>;
  since: ReadonlyMap<string, number>;
  retrievableIds: readonly string[];
  vectorIndex: VectorIndex | undefined;
  lexical: LexicalRanker;
}

/** A cached answer still holds when its chunks all exist and nothing added since would rank into its candidates. */
export function isCacheEntryStillValid(entry: ContextCacheEntry, query: string, view: IndexView): boolean {
  if (!entry.chunkIds.every((id) => view.chunks.has(id))) return false;
  if (entry.seq === view.seq) return true;
  const { queryVector } = entry;
  const { vectorIndex } = view;
  if (view.ranking === 'semantic' && (queryVector === undefined || vectorIndex === undefined || queryVector.length !== vectorIndex.dimension)) return false;
  for (const id of view.retrievableIds) {
    if ((view.since.get(id) ?? 0) <= entry.seq) continue;
    let score: number;
    if (view.ranking === 'semantic') {
      const vector = vectorIndex?.get(id);
      if (!vector || !queryVector) return false;
      score = dotProduct(vector, queryVector);
    } else {
      const chunk = view.chunks.get(id);
      score = chunk ? view.lexical.scoreText(query, embeddingText(chunk)) : 0;
    }
    if (score >= entry.cutoff && score > 0) return false;
  }
  return true;
}
