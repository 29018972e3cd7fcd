/**
 * @qoder-orch/context: what the agent doing a task should know. Project rules, memory files,
 * wiki and skills (Qoder, Claude and seed conventions), ranked by meaning with a local
 * embedding model (or BM25 when none loads), packed under a token budget, cached and versioned;
 * plus the WikiLearner that turns observed deviations into reviewed wiki updates.
 * This file is the package's only public entry; every export is named here.
 */

// ── context store ───────────────────────────────────────────────────────────
export { ContextStore, createContextStore } from './store/context-store';
export { taskQuery } from './store/task-query';
export type { ContextStoreOptions, ContextStoreStats } from './store/context-store-options';
export type { ContextSearchEvent, ContextStoreEvents } from './store/context-store-events';
export { contextStoreOptionsFromConfig } from './store/options-from-config';
export type { ContextConfigSections } from './store/options-from-config';
export type { ContextWarning } from './store/context-warning';
export { packContext } from './store/pack-context';
export type { PackedContext } from './store/pack-context';

// ── sources and chunking ────────────────────────────────────────────────────
export { CONVENTIONS, MEMORY_FILES, discoverSources } from './sources/discover-sources';
export type { ExtraPath, SourceFile, SourceOrigin } from './sources/source-file';
export { chunkMarkdown, chunkId, DEFAULT_MAX_CHUNK_CHARS } from './chunking/markdown-chunker';
export type { ChunkingOptions } from './chunking/markdown-chunker';
export { estimateTokens } from './chunking/token-estimate';

// ── embeddings and ranking ──────────────────────────────────────────────────
export type { Embedder } from './embedding/embedder';
export { createTransformersEmbedder, TRANSFORMERS_PACKAGE } from './embedding/transformers-embedder';
export type { TransformersEmbedderOptions } from './embedding/transformers-embedder';
export { meanPoolAndNormalize, normalizeInPlace } from './embedding/mean-pooling';
export { VectorIndex, dotProduct } from './ranking/vector-index';
export type { VectorMatch, VectorSearchOptions } from './ranking/vector-index';
export { createLexicalRanker, lexicalTerms } from './ranking/lexical-ranker';
export type { LexicalDocument, LexicalMatch, LexicalRanker, LexicalRankerOptions } from './ranking/lexical-ranker';

// ── caches and versions ─────────────────────────────────────────────────────
export { EmbeddingCache, embeddingCachePath, embeddingKey } from './cache/embedding-cache';
export { ContextCache } from './cache/context-cache';
export type { ContextCacheEntry, ContextCacheOptions } from './cache/context-cache';
export { diffChunks } from './versioning/chunk-diff';
export type { ChunkDiff, ChunkRef } from './versioning/chunk-diff';
export { ContextVersionSchema, readVersionLog } from './versioning/version-log';
export type { ContextVersion } from './versioning/version-log';

// ── learning ────────────────────────────────────────────────────────────────
export { createWikiLearner, WikiDeviationSchema, WikiObservationSchema, WikiProposalSchema } from './learning/wiki-learner';
export type { WikiApplyResult, WikiDeviation, WikiLearner, WikiLearnerOptions, WikiObservation, WikiProposal } from './learning/wiki-learner';
