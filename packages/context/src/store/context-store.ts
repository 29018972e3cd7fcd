import { join } from 'node:path';
import { builtinSubagents, OrchestratorError, patternsOverlap, SerialQueue } from '@qoder-orch/spec';
import type { ContextChunk, ContextRefreshResult, ContextSource, ScoredChunk, SubagentDefinition, Task, TaskContext } from '@qoder-orch/spec';
import { EventEmitter } from 'eventemitter3';
import { ContextCache } from '../cache/context-cache';
import { contentHash } from '../files/content-hash';
import { createLexicalRanker } from '../ranking/lexical-ranker';
import { loadSources } from '../sources/load-sources';
import { diffChunks } from '../versioning/chunk-diff';
import { appendVersion, readVersionLog, versionEntry } from '../versioning/version-log';
import type { ContextVersion } from '../versioning/version-log';
import { isCacheEntryStillValid } from './cache-validity';
import type { ContextStoreEvents } from './context-store-events';
import type { ContextStoreOptions, ContextStoreStats } from './context-store-options';
import type { ContextWarning } from './context-warning';
import { readIndexState, writeIndexState } from './index-state';
import { packContext } from './pack-context';
import { SemanticIndex } from './semantic-index';
import { embeddingText, taskQuery } from './task-query';

const RETRIEVABLE: ReadonlySet<ContextChunk['kind']> = new Set(['wiki', 'skill', 'other']);
const ALWAYS: ReadonlySet<ContextChunk['kind']> = new Set(['memory', 'rule']);

function checkAbort(abortSignal: AbortSignal | undefined): void {
  if (abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'The context refresh was aborted.', cause: abortSignal.reason });
}

type ContextForOptions = Parameters<ContextSource['contextFor']>[1];

/**
 * The ContextSource of `@qoder-orch/context`: reads the project's rules, memory files, wiki,
 * skills and subagents (Qoder, Claude and seed conventions), ranks wiki and skill chunks by
 * meaning (or by BM25 when no model can be loaded), and answers `contextFor(task)` under a token
 * budget, with an embedding cache, a context cache and a version log on disk. Nothing is read
 * until the first `refresh` (which `contextFor`, `search`, `rules` and `subagents` run on their
 * own when needed). What it works around is a `warning` event, never a throw.
 */
export class ContextStore extends EventEmitter<ContextStoreEvents> implements ContextSource {
  readonly #options: ContextStoreOptions;
  readonly #projectDir: string;
  readonly #threshold: number;
  readonly #candidateCount: number;
  readonly #statePath: string;
  readonly #versionLogPath: string;
  readonly #contextCache: ContextCache;
  readonly #lexical = createLexicalRanker();
  readonly #semantic: SemanticIndex;
  #hasWarnedRules = false;
  #isLoaded = false;
  #hasRefreshed = false;
  #seq = 0;
  #version = '';
  #chunks = new Map<string, ContextChunk>();
  #since = new Map<string, number>();
  #retrievableIds: string[] = [];
  #projectSubagents: SubagentDefinition[] = [];
  #ruleGlobs = new Map<string, string[]>();
  #queue = new SerialQueue();

  constructor(options: ContextStoreOptions) {
    super();
    this.#options = options;
    this.#projectDir = options.projectDir;
    const cacheDirectory = options.cacheDirectory ?? join(options.projectDir, '.qoder-orch', 'cache');
    this.#threshold = options.similarityThreshold ?? 0.25;
    this.#candidateCount = Math.max(1, options.candidateCount ?? 24);
    this.#statePath = join(cacheDirectory, 'index-state.json');
    this.#versionLogPath = join(cacheDirectory, 'versions.ndjson');
    this.#contextCache = new ContextCache(cacheDirectory, options.cache);
    this.#semantic = new SemanticIndex(options, cacheDirectory, (warning) => this.#warn(warning));
  }

  #warn(warning: ContextWarning): void {
    this.emit('warning', warning);
  }

  /** One refresh, context lookup or close at a time: they share the index and the caches. */
  #serialized<T>(work: () => Promise<T>): Promise<T> {
    return this.#queue.run(work);
  }

  async #loadPersisted(): Promise<void> {
    if (this.#isLoaded) return;
    this.#isLoaded = true;
    const state = await readIndexState(this.#statePath);
    if (state) {
      this.#seq = state.seq;
      this.#version = state.version;
      this.#since = state.since;
      this.#chunks = state.chunks;
    }
    await this.#contextCache.load();
  }

  async #doRefresh(abortSignal: AbortSignal | undefined): Promise<ContextRefreshResult> {
    const started = performance.now();
    checkAbort(abortSignal);
    this.emit('refresh-start', { projectDir: this.#projectDir });
    await this.#loadPersisted();
    const loaded = await loadSources(this.#projectDir, {
      ...(this.#options.extraPaths === undefined ? {} : { extraPaths: this.#options.extraPaths }),
      ...(this.#options.maxChunkChars === undefined ? {} : { maxChunkChars: this.#options.maxChunkChars }),
    });
    for (const warning of loaded.warnings) this.#warn(warning);
    checkAbort(abortSignal);
    const diff = diffChunks([...this.#chunks.values()], loaded.chunks);
    const isChanged = diff.added.length + diff.modified.length + diff.removed.length > 0 || this.#version === '';
    if (isChanged) {
      this.#seq += 1;
      const entry = versionEntry(
        this.#seq,
        loaded.chunks.map((chunk) => chunk.id),
        diff,
        this.#version === '' ? undefined : this.#version,
      );
      this.#version = entry.version;
      await appendVersion(this.#versionLogPath, entry).catch((error: unknown) => this.#warn({ code: 'CACHE_UNWRITABLE', message: `The version log could not be written to ${this.#versionLogPath}: ${String(error)}`, cause: error }));
    }
    const nextSince = new Map<string, number>();
    for (const chunk of loaded.chunks) nextSince.set(chunk.id, this.#since.get(chunk.id) ?? this.#seq);
    this.#since = nextSince;
    this.#chunks = new Map(loaded.chunks.map((chunk) => [chunk.id, chunk]));
    this.#projectSubagents = loaded.subagents;
    this.#ruleGlobs = loaded.ruleGlobs;
    const retrievable = loaded.chunks.filter((chunk) => RETRIEVABLE.has(chunk.kind));
    this.#retrievableIds = retrievable.map((chunk) => chunk.id);
    this.#lexical.index(retrievable.map((chunk) => ({ id: chunk.id, text: embeddingText(chunk) })));
    await this.#semantic.index(retrievable, abortSignal);
    await writeIndexState(this.#statePath, this.#seq, this.#version, loaded.chunks, this.#since).catch((error: unknown) =>
      this.#warn({ code: 'CACHE_UNWRITABLE', message: `The index state could not be written to ${this.#statePath}: ${String(error)}`, cause: error }),
    );
    this.#hasRefreshed = true;
    const result: ContextRefreshResult = {
      version: this.#version,
      added: diff.added.length,
      modified: diff.modified.length,
      removed: diff.removed.length,
      unchanged: diff.unchanged.length,
      ranking: this.#semantic.ranking,
      durationMs: Math.round(performance.now() - started),
    };
    this.emit('refresh-finish', { result, stats: this.stats() });
    return result;
  }

  /** Reads the sources again; only what changed is re-embedded, and a changed set of chunks is a new version. */
  refresh(options?: { abortSignal?: AbortSignal }): Promise<ContextRefreshResult> {
    return this.#serialized(() => this.#doRefresh(options?.abortSignal));
  }

  async #ensureRefreshed(abortSignal?: AbortSignal): Promise<void> {
    if (!this.#hasRefreshed) await this.refresh(abortSignal === undefined ? {} : { abortSignal });
  }

  async #rank(query: string, k: number, abortSignal?: AbortSignal): Promise<{ matches: ScoredChunk[]; queryVector?: Float32Array }> {
    const started = performance.now();
    const queryVector = await this.#semantic.embedQuery(query, abortSignal);
    const vectorIndex = this.#semantic.vectorIndex;
    const found = queryVector && vectorIndex ? vectorIndex.search(queryVector, k, { threshold: this.#threshold }) : this.#lexical.search(query, k);
    const matches = found.flatMap((match) => {
      const chunk = this.#chunks.get(match.id);
      return chunk ? [{ ...chunk, score: match.score }] : [];
    });
    this.emit('search', { query, k, ranking: queryVector ? 'semantic' : 'lexical', matches: matches.length, durationMs: Math.round(performance.now() - started) });
    return queryVector ? { matches, queryVector } : { matches };
  }

  /** Memory files first, then rules; a glob rule only when the task's files may match it (or the task names none). */
  #rulesOf(files?: readonly string[]): ContextChunk[] {
    return [...this.#chunks.values()]
      .filter((chunk) => {
        if (!ALWAYS.has(chunk.kind)) return false;
        const globs = this.#ruleGlobs.get(chunk.source);
        if (globs === undefined || files === undefined || files.length === 0) return true;
        return globs.some((glob) => files.some((file) => patternsOverlap(glob, file)));
      })
      .sort((left, right) => (left.kind === right.kind ? 0 : left.kind === 'memory' ? -1 : 1));
  }

  /** The ranked chunks whose scores are at least `similarityThreshold` (any score for BM25), best first. */
  async search(query: string, k: number): Promise<ScoredChunk[]> {
    await this.#ensureRefreshed();
    return (await this.#rank(query, k)).matches;
  }

  /** Rules and memory files, then the best wiki and skill chunks for the task, packed under `tokenBudget`. */
  async contextFor(task: Task, options: ContextForOptions): Promise<TaskContext> {
    await this.#ensureRefreshed(options.abortSignal);
    const ranking = this.#semantic.ranking;
    const rules = this.#rulesOf(task.files);
    const query = taskQuery(task, options.subagent?.name);
    const modelName = ranking === 'semantic' ? (this.#semantic.embedder?.modelName ?? '') : 'bm25';
    const key = contentHash([ranking, modelName, String(this.#threshold), String(this.#candidateCount), String(options.tokenBudget), ...rules.map((rule) => rule.id), '\0', query], 32);
    const cache = this.#contextCache;
    const cached = cache.get(key);
    const view = { seq: this.#seq, ranking, chunks: this.#chunks, since: this.#since, retrievableIds: this.#retrievableIds, vectorIndex: this.#semantic.vectorIndex, lexical: this.#lexical };
    if (cached && isCacheEntryStillValid(cached, query, view)) {
      cache.hits += 1;
      if (cached.seq !== this.#seq) cache.set(key, { ...cached, seq: this.#seq });
      const retrieved = cached.chunkIds.map((id, index) => ({ ...(this.#chunks.get(id) as ContextChunk), score: cached.scores[index] ?? 0 }));
      const packed = packContext(rules, retrieved, options.tokenBudget);
      return { text: packed.text, chunks: packed.chunks, tokens: packed.tokens, version: this.#version, isCacheHit: true };
    }
    if (cache.isEnabled) {
      cache.misses += 1;
      if (cached) cache.delete(key);
    }
    const { matches, queryVector } = query === '' ? { matches: [] as ScoredChunk[], queryVector: undefined } : await this.#rank(query, this.#candidateCount, options.abortSignal);
    const packed = packContext(rules, matches, options.tokenBudget);
    if (packed.isRulesOverBudget && !this.#hasWarnedRules) {
      this.#hasWarnedRules = true;
      this.#warn({
        code: 'RULES_OVER_BUDGET',
        message: `The project rules and memory files alone are about ${packed.tokens} tokens, more than the context budget of ${options.tokenBudget}; they are sent whole and no wiki or skill chunk fits.`,
      });
    }
    const retrieved = packed.chunks.filter((chunk) => !ALWAYS.has(chunk.kind));
    const isCandidateListFull = matches.length >= this.#candidateCount;
    // The ranking as it is after this lookup: a failed query embedding has just made it lexical.
    const rankingNow = this.#semantic.ranking;
    const cutoff = isCandidateListFull ? (matches[matches.length - 1]?.score ?? this.#threshold) : rankingNow === 'semantic' ? this.#threshold : 0;
    cache.set(key, {
      seq: this.#seq,
      chunkIds: retrieved.map((chunk) => chunk.id),
      scores: retrieved.map((chunk) => chunk.score),
      cutoff,
      ...(queryVector === undefined ? {} : { queryVector: Array.from(queryVector) }),
    });
    return { text: packed.text, chunks: packed.chunks, tokens: packed.tokens, version: this.#version, isCacheHit: false };
  }

  /** The project's subagents, then the built-in ones it does not replace. */
  async subagents(): Promise<SubagentDefinition[]> {
    await this.#ensureRefreshed();
    const names = new Set(this.#projectSubagents.map((definition) => definition.name));
    return [...this.#projectSubagents.map((definition) => ({ ...definition })), ...builtinSubagents().filter((definition) => !names.has(definition.name))];
  }

  /** Memory files and rules (glob rules included). */
  async rules(): Promise<ContextChunk[]> {
    await this.#ensureRefreshed();
    return this.#rulesOf();
  }

  stats(): ContextStoreStats {
    const cache = this.#contextCache;
    return {
      cacheHits: cache.hits,
      cacheMisses: cache.misses,
      cacheHitRate: cache.hitRate,
      embeddingsComputed: this.#semantic.counters.embeddingsComputed,
      embeddingsReused: this.#semantic.counters.embeddingsReused,
      ranking: this.#semantic.ranking,
      version: this.#version,
      chunks: this.#chunks.size,
    };
  }

  /** The version log, oldest first: what each refresh added, modified and removed. */
  versions(): Promise<ContextVersion[]> {
    return readVersionLog(this.#versionLogPath);
  }

  /** Persists the caches and releases the model. */
  close(): Promise<void> {
    return this.#serialized(async () => {
      await this.#contextCache.save().catch((error: unknown) => this.#warn({ code: 'CACHE_UNWRITABLE', message: `The context cache could not be written: ${String(error)}`, cause: error }));
      await this.#semantic.close();
    });
  }
}

/** `new ContextStore(options)`; kept as the factory the other packages call. */
export function createContextStore(options: ContextStoreOptions): ContextStore {
  return new ContextStore(options);
}
