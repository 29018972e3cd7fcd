import type { ContextStats } from '@qoder-orch/spec';
import type { ContextCacheOptions } from '../cache/context-cache';
import type { Embedder } from '../embedding/embedder';
import type { ExtraPath } from '../sources/source-file';

/** Options of the {@link ContextStore}; each maps from a config key named below. */
export interface ContextStoreOptions {
  /** The project (the git repository root) whose knowledge is read. */
  projectDir: string;
  /** `semantic_search.model_name`. @default 'Xenova/all-MiniLM-L6-v2' */
  modelName?: string;
  /** `semantic_search.model_dir`: where models are looked up first. @default transformers' default */
  modelDir?: string;
  /** `semantic_search.allow_remote`: download the model from the hub when missing. @default true */
  allowRemoteModels?: boolean;
  /** `semantic_search.enabled`: false ranks lexically (BM25) without loading a model. @default true */
  isSemanticSearchEnabled?: boolean;
  /** `semantic_search.similarity_threshold`: cosine below this is never retrieved. @default 0.25 */
  similarityThreshold?: number;
  /** `semantic_search.extra_paths`: more files or folders to index (relative to the project). @default [] */
  extraPaths?: readonly ExtraPath[];
  /** Where the embedding cache, context cache, index state and version log live. @default `<projectDir>/.qoder-orch/cache` */
  cacheDirectory?: string;
  /** `cache.enabled`, `cache.max_size_mb`, `cache.ttl_seconds`: the context cache. @default { isEnabled: true, maxSizeMb: 100, ttlSeconds: 86400 } */
  cache?: ContextCacheOptions;
  /** Any embedding model; replaces the transformers one built from `modelName`/`modelDir`. */
  embedder?: Embedder;
  /** Longest chunk in characters. @default 1600 */
  maxChunkChars?: number;
  /** Chunks considered per task before packing. @default 24 */
  candidateCount?: number;
}

/** {@link ContextStats} plus what a run summary shows. */
export interface ContextStoreStats extends ContextStats {
  /** cacheHits / (cacheHits + cacheMisses); 0 before any lookup. */
  cacheHitRate: number;
  ranking: 'semantic' | 'lexical';
  /** The current context version; '' before the first refresh. */
  version: string;
  /** Chunks indexed (rules and memory included). */
  chunks: number;
}
