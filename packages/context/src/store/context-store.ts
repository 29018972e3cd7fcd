import { join } from 'node:path';
import { builtinSubagents, OrchestratorError, patternsOverlap } from '@qoder-orch/spec';
import type {
  ContextChunk,
  ContextRefreshResult,
  ContextSource,
  ContextStats,
  ScoredChunk,
  SubagentDefinition,
  Task,
  TaskContext,
} from '@qoder-orch/spec';
import { z } from 'zod';
import { ContextCache } from '../cache/context-cache';
import type { ContextCacheEntry, ContextCacheOptions } from '../cache/context-cache';
import { EmbeddingCache, embeddingKey } from '../cache/embedding-cache';
import type { Embedder } from '../embedding/embedder';
import { createTransformersEmbedder } from '../embedding/transformers-embedder';
import { writeFileAtomicCreatingFolder } from '../files/atomic-write';
import { contentHash } from '../files/content-hash';
import { readJsonFile } from '../files/read-json';
import { createLexicalRanker } from '../ranking/lexical-ranker';
import { dotProduct, VectorIndex } from '../ranking/vector-index';
import { loadSources } from '../sources/load-sources';
import type { ExtraPath } from '../sources/source-file';
import { diffChunks } from '../versioning/chunk-diff';
import { appendVersion, readVersionLog, versionEntry } from '../versioning/version-log';
import type { ContextVersion } from '../versioning/version-log';
import type { ContextWarning } from './context-warning';
import { packContext } from './pack-context';

/** Options of {@link createContextStore}; each maps from a config key named below. */
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
  /** Called for what the store works around (model missing, invalid subagent file …). @default none */
  onWarning?: (warning: ContextWarning) => void;
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

/** The ContextSource of `@qoder-orch/context`. */
export interface ContextStore extends ContextSource {
  stats(): ContextStoreStats;
  /** The version log, oldest first: what each refresh added, modified and removed. */
  versions(): Promise<ContextVersion[]>;
  /** Persists the caches and releases the model. */
  close(): Promise<void>;
}

const IndexStateSchema = z.object({
  format: z.literal(1),
  seq: z.number().int().nonnegative(),
  version: z.string(),
  chunks: z.array(z.object({ id: z.string(), source: z.string(), heading: z.string().optional(), since: z.number().int().nonnegative() })),
});
type IndexState = z.infer<typeof IndexStateSchema>;

const RETRIEVABLE: ReadonlySet<ContextChunk['kind']> = new Set(['wiki', 'skill', 'other']);
const ALWAYS: ReadonlySet<ContextChunk['kind']> = new Set(['memory', 'rule']);

/** The text that is embedded for a chunk: its heading path, then its text. */
function embeddingText(chunk: ContextChunk): string {
  return chunk.heading === undefined ? chunk.text : `${chunk.heading}\n${chunk.text}`;
}

/** What a task is about, as one query: the subagent's role, title, description, acceptance criteria, files. */
export function taskQuery(task: Pick<Task, 'title' | 'description' | 'acceptance' | 'files'>, subagentName?: string): string {
  return [subagentName?.replace(/-/g, ' '), task.title, task.description, ...task.acceptance, ...task.files]
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .join('\n');
}

function checkAbort(abortSignal: AbortSignal | undefined): void {
  if (abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'The context refresh was aborted.', cause: abortSignal.reason });
}

/**
 * Creates the ContextStore: reads the project's rules, memory files, wiki, skills and subagents
 * (Qoder, Claude and seed conventions), ranks wiki and skill chunks by meaning (or by BM25 when
 * no model can be loaded), and answers `contextFor(task)` under a token budget, with an embedding
 * cache, a context cache and a version log on disk. Nothing is read until the first `refresh`
 * (which `contextFor`, `search`, `rules` and `subagents` run on their own when needed).
 */
export function createContextStore(options: ContextStoreOptions): ContextStore {
  const projectDir = options.projectDir;
  const cacheDirectory = options.cacheDirectory ?? join(projectDir, '.qoder-orch', 'cache');
  const threshold = options.similarityThreshold ?? 0.25;
  const candidateCount = Math.max(1, options.candidateCount ?? 24);
  const isSemanticEnabled = options.isSemanticSearchEnabled ?? true;
  const statePath = join(cacheDirectory, 'index-state.json');
  const versionLogPath = join(cacheDirectory, 'versions.ndjson');
  const contextCache = new ContextCache(cacheDirectory, options.cache);
  const lexical = createLexicalRanker();
  const ownsEmbedder = options.embedder === undefined;
  let embedder: Embedder | undefined = options.embedder;
  let embeddingCache: EmbeddingCache | undefined;
  let vectorIndex: VectorIndex | undefined;
  let ranking: 'semantic' | 'lexical' = isSemanticEnabled ? 'semantic' : 'lexical';
  let hasWarnedEmbedding = false;
  let hasWarnedRules = false;

  let isLoaded = false;
  let seq = 0;
  let version = '';
  let chunks = new Map<string, ContextChunk>();
  let since = new Map<string, number>();
  let retrievableIds: string[] = [];
  let projectSubagents: SubagentDefinition[] = [];
  let ruleGlobs = new Map<string, string[]>();
  const counters = { embeddingsComputed: 0, embeddingsReused: 0 };
  let queue: Promise<unknown> = Promise.resolve();
  let hasRefreshed = false;

  const warn = (warning: ContextWarning) => options.onWarning?.(warning);

  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const fallBackToLexical = (error: unknown) => {
    ranking = 'lexical';
    vectorIndex = undefined;
    if (hasWarnedEmbedding) return;
    hasWarnedEmbedding = true;
    const reason = error instanceof Error ? error.message : String(error);
    warn({
      code: 'EMBEDDING_UNAVAILABLE',
      message: `Semantic search is off for this run: ${reason} Context is ranked by keywords (BM25) instead.`,
      cause: error,
    });
  };

  const loadPersisted = async () => {
    if (isLoaded) return;
    isLoaded = true;
    const state = await readJsonFile(statePath, IndexStateSchema);
    if (state) {
      seq = state.seq;
      version = state.version;
      since = new Map(state.chunks.map((chunk) => [chunk.id, chunk.since]));
      chunks = new Map(state.chunks.map((chunk) => [chunk.id, { id: chunk.id, source: chunk.source, ...(chunk.heading === undefined ? {} : { heading: chunk.heading }), kind: 'other', text: '' }]));
    }
    await contextCache.load();
  };

  /** Vectors for every retrievable chunk not in the index yet: from the disk cache, else the model. */
  const indexVectors = async (retrievable: ContextChunk[], abortSignal: AbortSignal | undefined) => {
    if (ranking !== 'semantic') return;
    try {
      embedder ??= createTransformersEmbedder({
        ...(options.modelName === undefined ? {} : { modelName: options.modelName }),
        ...(options.modelDir === undefined ? {} : { modelDir: options.modelDir }),
        ...(options.allowRemoteModels === undefined ? {} : { allowRemoteModels: options.allowRemoteModels }),
      });
      if (embeddingCache === undefined) {
        embeddingCache = new EmbeddingCache(cacheDirectory, embedder.modelName);
        await embeddingCache.load();
      }
      const wanted = new Set(retrievable.map((chunk) => chunk.id));
      for (const id of vectorIndex?.ids() ?? []) if (!wanted.has(id)) vectorIndex?.delete(id);
      const missing: ContextChunk[] = [];
      const resolved: Array<[string, Float32Array]> = [];
      for (const chunk of retrievable) {
        if (vectorIndex?.has(chunk.id)) continue;
        const cached = embeddingCache.get(embeddingKey(embeddingText(chunk)));
        if (cached) {
          resolved.push([chunk.id, cached]);
          counters.embeddingsReused += 1;
        } else {
          missing.push(chunk);
        }
      }
      // Load even when every vector came from the cache: queries need the model, and the refresh result must say honestly which ranking is in use.
      if (retrievable.length > 0) await embedder.load?.(abortSignal === undefined ? {} : { abortSignal });
      const texts = missing.map(embeddingText);
      const vectors = await embedder.embed(texts, abortSignal === undefined ? {} : { abortSignal });
      missing.forEach((chunk, index) => {
        const vector = vectors[index];
        if (!vector) throw new OrchestratorError({ code: 'BAD_OUTPUT', message: `The embedder returned ${vectors.length} vectors for ${texts.length} texts.` });
        embeddingCache?.set(embeddingKey(texts[index] as string), vector);
        resolved.push([chunk.id, vector]);
      });
      counters.embeddingsComputed += missing.length;
      for (const [id, vector] of resolved) {
        vectorIndex ??= new VectorIndex(vector.length, Math.max(64, retrievable.length));
        vectorIndex.set(id, vector);
      }
      await embeddingCache.save().catch((error: unknown) => warn({ code: 'CACHE_UNWRITABLE', message: `The embedding cache could not be written: ${String(error)}`, cause: error }));
    } catch (error) {
      if (OrchestratorError.isInstance(error) && error.code === 'ABORTED') throw error;
      fallBackToLexical(error);
    }
  };

  const doRefresh = async (abortSignal: AbortSignal | undefined): Promise<ContextRefreshResult> => {
    const started = performance.now();
    checkAbort(abortSignal);
    await loadPersisted();
    const loaded = await loadSources(projectDir, {
      ...(options.extraPaths === undefined ? {} : { extraPaths: options.extraPaths }),
      ...(options.maxChunkChars === undefined ? {} : { maxChunkChars: options.maxChunkChars }),
      onWarning: warn,
    });
    checkAbort(abortSignal);
    const diff = diffChunks([...chunks.values()], loaded.chunks);
    const isChanged = diff.added.length + diff.modified.length + diff.removed.length > 0 || version === '';
    if (isChanged) {
      seq += 1;
      const entry = versionEntry(seq, loaded.chunks.map((chunk) => chunk.id), diff, version === '' ? undefined : version);
      version = entry.version;
      await appendVersion(versionLogPath, entry).catch((error: unknown) =>
        warn({ code: 'CACHE_UNWRITABLE', message: `The version log could not be written to ${versionLogPath}: ${String(error)}`, cause: error }),
      );
    }
    const nextSince = new Map<string, number>();
    for (const chunk of loaded.chunks) nextSince.set(chunk.id, since.get(chunk.id) ?? seq);
    since = nextSince;
    chunks = new Map(loaded.chunks.map((chunk) => [chunk.id, chunk]));
    projectSubagents = loaded.subagents;
    ruleGlobs = loaded.ruleGlobs;
    const retrievable = loaded.chunks.filter((chunk) => RETRIEVABLE.has(chunk.kind));
    retrievableIds = retrievable.map((chunk) => chunk.id);
    lexical.index(retrievable.map((chunk) => ({ id: chunk.id, text: embeddingText(chunk) })));
    await indexVectors(retrievable, abortSignal);
    const state: IndexState = {
      format: 1,
      seq,
      version,
      chunks: loaded.chunks.map((chunk) => ({ id: chunk.id, source: chunk.source, ...(chunk.heading === undefined ? {} : { heading: chunk.heading }), since: since.get(chunk.id) ?? seq })),
    };
    await writeFileAtomicCreatingFolder(statePath, JSON.stringify(state)).catch((error: unknown) =>
      warn({ code: 'CACHE_UNWRITABLE', message: `The index state could not be written to ${statePath}: ${String(error)}`, cause: error }),
    );
    hasRefreshed = true;
    return {
      version,
      added: diff.added.length,
      modified: diff.modified.length,
      removed: diff.removed.length,
      unchanged: diff.unchanged.length,
      ranking,
      durationMs: Math.round(performance.now() - started),
    };
  };

  const refresh = (refreshOptions?: { abortSignal?: AbortSignal }) => serialized(() => doRefresh(refreshOptions?.abortSignal));
  const ensureRefreshed = async (abortSignal?: AbortSignal) => {
    if (!hasRefreshed) await refresh(abortSignal === undefined ? {} : { abortSignal });
  };

  const embedQuery = async (query: string, abortSignal?: AbortSignal): Promise<Float32Array | undefined> => {
    if (ranking !== 'semantic' || !embedder || !vectorIndex) return undefined;
    try {
      return (await embedder.embed([query], abortSignal === undefined ? {} : { abortSignal }))[0];
    } catch (error) {
      if (OrchestratorError.isInstance(error) && error.code === 'ABORTED') throw error;
      fallBackToLexical(error);
      return undefined;
    }
  };

  const rank = async (query: string, k: number, abortSignal?: AbortSignal): Promise<{ matches: ScoredChunk[]; queryVector?: Float32Array }> => {
    const queryVector = await embedQuery(query, abortSignal);
    const found = queryVector && vectorIndex ? vectorIndex.search(queryVector, k, { threshold }) : lexical.search(query, k);
    const matches = found.flatMap((match) => {
      const chunk = chunks.get(match.id);
      return chunk ? [{ ...chunk, score: match.score }] : [];
    });
    return queryVector ? { matches, queryVector } : { matches };
  };

  /** A cached answer still holds when its chunks all exist and nothing added since would rank into its candidates. */
  const isStillValid = (entry: ContextCacheEntry, query: string): boolean => {
    if (!entry.chunkIds.every((id) => chunks.has(id))) return false;
    if (entry.seq === seq) return true;
    const queryVector = entry.queryVector;
    if (ranking === 'semantic' && (queryVector === undefined || vectorIndex === undefined || queryVector.length !== vectorIndex.dimension)) return false;
    for (const id of retrievableIds) {
      if ((since.get(id) ?? 0) <= entry.seq) continue;
      let score: number;
      if (ranking === 'semantic') {
        const vector = vectorIndex?.get(id);
        if (!vector || !queryVector) return false;
        score = dotProduct(vector, queryVector);
      } else {
        const chunk = chunks.get(id);
        score = chunk ? lexical.scoreText(query, embeddingText(chunk)) : 0;
      }
      if (score >= entry.cutoff && score > 0) return false;
    }
    return true;
  };

  /** Memory files first, then rules; a glob rule only when the task's files may match it (or the task names none). */
  const rulesOf = (files?: readonly string[]) =>
    [...chunks.values()]
      .filter((chunk) => {
        if (!ALWAYS.has(chunk.kind)) return false;
        const globs = ruleGlobs.get(chunk.source);
        if (globs === undefined || files === undefined || files.length === 0) return true;
        return globs.some((glob) => files.some((file) => patternsOverlap(glob, file)));
      })
      .sort((left, right) => (left.kind === right.kind ? 0 : left.kind === 'memory' ? -1 : 1));

  const contextFor: ContextStore['contextFor'] = async (task, contextOptions) => {
    await ensureRefreshed(contextOptions.abortSignal);
    const rules = rulesOf(task.files);
    const query = taskQuery(task, contextOptions.subagent?.name);
    const modelName = ranking === 'semantic' ? (embedder?.modelName ?? '') : 'bm25';
    const key = contentHash([ranking, modelName, String(threshold), String(candidateCount), String(contextOptions.tokenBudget), ...rules.map((rule) => rule.id), '\0', query], 32);
    const cached = contextCache.get(key);
    if (cached && isStillValid(cached, query)) {
      contextCache.hits += 1;
      if (cached.seq !== seq) contextCache.set(key, { ...cached, seq });
      const retrieved = cached.chunkIds.map((id, index) => ({ ...(chunks.get(id) as ContextChunk), score: cached.scores[index] ?? 0 }));
      const packed = packContext(rules, retrieved, contextOptions.tokenBudget);
      return { text: packed.text, chunks: packed.chunks, tokens: packed.tokens, version, isCacheHit: true };
    }
    if (contextCache.isEnabled) {
      contextCache.misses += 1;
      if (cached) contextCache.delete(key);
    }
    const { matches, queryVector } = query === '' ? { matches: [] as ScoredChunk[], queryVector: undefined } : await rank(query, candidateCount, contextOptions.abortSignal);
    const packed = packContext(rules, matches, contextOptions.tokenBudget);
    if (packed.isRulesOverBudget && !hasWarnedRules) {
      hasWarnedRules = true;
      warn({ code: 'RULES_OVER_BUDGET', message: `The project rules and memory files alone are about ${packed.tokens} tokens, more than the context budget of ${contextOptions.tokenBudget}; they are sent whole and no wiki or skill chunk fits.` });
    }
    const retrieved = packed.chunks.filter((chunk) => !ALWAYS.has(chunk.kind));
    const isCandidateListFull = matches.length >= candidateCount;
    const cutoff = isCandidateListFull ? (matches[matches.length - 1]?.score ?? threshold) : ranking === 'semantic' ? threshold : 0;
    contextCache.set(key, {
      seq,
      chunkIds: retrieved.map((chunk) => chunk.id),
      scores: retrieved.map((chunk) => chunk.score),
      cutoff,
      ...(queryVector === undefined ? {} : { queryVector: Array.from(queryVector) }),
    });
    return { text: packed.text, chunks: packed.chunks, tokens: packed.tokens, version, isCacheHit: false };
  };

  return {
    refresh,
    async search(query, k) {
      await ensureRefreshed();
      return (await rank(query, k)).matches;
    },
    contextFor,
    async subagents() {
      await ensureRefreshed();
      const names = new Set(projectSubagents.map((definition) => definition.name));
      return [...projectSubagents.map((definition) => ({ ...definition })), ...builtinSubagents().filter((definition) => !names.has(definition.name))];
    },
    async rules() {
      await ensureRefreshed();
      return rulesOf();
    },
    stats() {
      return {
        cacheHits: contextCache.hits,
        cacheMisses: contextCache.misses,
        cacheHitRate: contextCache.hitRate,
        embeddingsComputed: counters.embeddingsComputed,
        embeddingsReused: counters.embeddingsReused,
        ranking,
        version,
        chunks: chunks.size,
      };
    },
    versions: () => readVersionLog(versionLogPath),
    close: () =>
      serialized(async () => {
        await contextCache.save().catch((error: unknown) => warn({ code: 'CACHE_UNWRITABLE', message: `The context cache could not be written: ${String(error)}`, cause: error }));
        await embeddingCache?.save().catch(() => undefined);
        if (ownsEmbedder) await embedder?.dispose?.();
      }),
  };
}
