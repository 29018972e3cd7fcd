import { OrchestratorError } from '@qoder-orch/spec';
import type { ContextChunk } from '@qoder-orch/spec';
import { EmbeddingCache, embeddingKey } from '../cache/embedding-cache';
import type { Embedder } from '../embedding/embedder';
import { createTransformersEmbedder } from '../embedding/transformers-embedder';
import { VectorIndex } from '../ranking/vector-index';
import type { ContextStoreOptions } from './context-store-options';
import type { ContextWarning } from './context-warning';
import { embeddingText } from './task-query';

const withSignal = (abortSignal: AbortSignal | undefined) => (abortSignal === undefined ? {} : { abortSignal });
const isAbort = (error: unknown) => OrchestratorError.isInstance(error) && error.code === 'ABORTED';

/**
 * The store's semantic side: the embedder (built lazily, so the model runtime is imported only
 * when semantic search is on), the on-disk embedding cache and the vector index. Any failure to
 * embed switches the ranking to lexical for good and reports it once.
 */
export class SemanticIndex {
  ranking: 'semantic' | 'lexical';
  vectorIndex: VectorIndex | undefined;
  embedder: Embedder | undefined;
  readonly counters = { embeddingsComputed: 0, embeddingsReused: 0 };
  readonly #options: ContextStoreOptions;
  readonly #cacheDirectory: string;
  readonly #warn: (warning: ContextWarning) => void;
  readonly #ownsEmbedder: boolean;
  #embeddingCache: EmbeddingCache | undefined;
  #hasWarned = false;

  constructor(options: ContextStoreOptions, cacheDirectory: string, warn: (warning: ContextWarning) => void) {
    this.#options = options;
    this.#cacheDirectory = cacheDirectory;
    this.#warn = warn;
    this.embedder = options.embedder;
    this.#ownsEmbedder = options.embedder === undefined;
    this.ranking = (options.isSemanticSearchEnabled ?? true) ? 'semantic' : 'lexical';
  }

  #fallBackToLexical(error: unknown): void {
    this.ranking = 'lexical';
    this.vectorIndex = undefined;
    if (this.#hasWarned) return;
    this.#hasWarned = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.#warn({
      code: 'EMBEDDING_UNAVAILABLE',
      message: `Semantic search is off for this run: ${reason} Context is ranked by keywords (BM25) instead.`,
      cause: error,
    });
  }

  #buildEmbedder(): Embedder {
    const options = this.#options;
    return createTransformersEmbedder({
      ...(options.modelName === undefined ? {} : { modelName: options.modelName }),
      ...(options.modelDir === undefined ? {} : { modelDir: options.modelDir }),
      ...(options.allowRemoteModels === undefined ? {} : { allowRemoteModels: options.allowRemoteModels }),
    });
  }

  /** Vectors for every retrievable chunk not in the index yet: from the disk cache, else the model. */
  async index(retrievable: readonly ContextChunk[], abortSignal: AbortSignal | undefined): Promise<void> {
    if (this.ranking !== 'semantic') return;
    try {
      const embedder = (this.embedder ??= this.#buildEmbedder());
      if (this.#embeddingCache === undefined) {
        this.#embeddingCache = new EmbeddingCache(this.#cacheDirectory, embedder.modelName);
        await this.#embeddingCache.load();
      }
      const embeddingCache = this.#embeddingCache;
      const wanted = new Set(retrievable.map((chunk) => chunk.id));
      for (const id of this.vectorIndex?.ids() ?? []) if (!wanted.has(id)) this.vectorIndex?.delete(id);
      const missing: ContextChunk[] = [];
      const resolved: Array<[string, Float32Array]> = [];
      for (const chunk of retrievable) {
        if (this.vectorIndex?.has(chunk.id)) continue;
        const cached = embeddingCache.get(embeddingKey(embeddingText(chunk)));
        if (cached) {
          resolved.push([chunk.id, cached]);
          this.counters.embeddingsReused += 1;
        } else {
          missing.push(chunk);
        }
      }
      // Load even when every vector came from the cache: queries need the model, and the refresh result must say honestly which ranking is in use.
      if (retrievable.length > 0) await embedder.load?.(withSignal(abortSignal));
      const texts = missing.map(embeddingText);
      const vectors = await embedder.embed(texts, withSignal(abortSignal));
      missing.forEach((chunk, index) => {
        const vector = vectors[index];
        if (!vector) throw new OrchestratorError({ code: 'BAD_OUTPUT', message: `The embedder returned ${vectors.length} vectors for ${texts.length} texts.` });
        embeddingCache.set(embeddingKey(texts[index] as string), vector);
        resolved.push([chunk.id, vector]);
      });
      this.counters.embeddingsComputed += missing.length;
      for (const [id, vector] of resolved) {
        this.vectorIndex ??= new VectorIndex(vector.length, Math.max(64, retrievable.length));
        this.vectorIndex.set(id, vector);
      }
      await embeddingCache.save().catch((error: unknown) => this.#warn({ code: 'CACHE_UNWRITABLE', message: `The embedding cache could not be written: ${String(error)}`, cause: error }));
    } catch (error) {
      if (isAbort(error)) throw error;
      this.#fallBackToLexical(error);
    }
  }

  /** The query's vector, or undefined when ranking is lexical (or has just become so). */
  async embedQuery(query: string, abortSignal?: AbortSignal): Promise<Float32Array | undefined> {
    if (this.ranking !== 'semantic' || !this.embedder || !this.vectorIndex) return undefined;
    try {
      return (await this.embedder.embed([query], withSignal(abortSignal)))[0];
    } catch (error) {
      if (isAbort(error)) throw error;
      this.#fallBackToLexical(error);
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.#embeddingCache?.save().catch(() => undefined);
    if (this.#ownsEmbedder) await this.embedder?.dispose?.();
  }
}
