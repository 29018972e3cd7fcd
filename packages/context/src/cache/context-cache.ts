import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { writeFileAtomicCreatingFolder } from '../files/atomic-write';
import { readJsonFile } from '../files/read-json';

export const ContextCacheEntrySchema = z.object({
  /** The index sequence number the entry was computed (or last re-validated) at. */
  seq: z.number().int().nonnegative(),
  /** The retrieved chunks packed, in order, with their scores. */
  chunkIds: z.array(z.string()),
  scores: z.array(z.number()),
  /** A chunk added after `seq` that scores at least this against the query could change the answer. */
  cutoff: z.number(),
  /** The query's vector (semantic ranking), to score chunks added later without re-embedding it. */
  queryVector: z.array(z.number()).optional(),
});

/** What the context cache keeps per task query: enough to rebuild the context and to tell whether a later change affects it. */
export type ContextCacheEntry = z.infer<typeof ContextCacheEntrySchema>;

const DumpSchema = z.object({
  format: z.literal(1),
  entries: z.array(z.tuple([z.string(), z.object({ value: ContextCacheEntrySchema, ttl: z.number().optional(), start: z.number().optional(), size: z.number().optional() })])),
});

export interface ContextCacheOptions {
  /** @default true */
  isEnabled?: boolean;
  /** @default 100 */
  maxSizeMb?: number;
  /** @default 86400 */
  ttlSeconds?: number;
}

/**
 * The context cache: an `lru-cache` bounded by size (`cache.max_size_mb`, entries measured as
 * their JSON) and age (`cache.ttl_seconds`), dumped to `<cacheDirectory>/context-cache.json`
 * and reloaded with the remaining ttl. Counts hits and misses; what counts as a hit is decided
 * by the store, which re-validates entries against the version log.
 */
export class ContextCache {
  readonly path: string;
  readonly isEnabled: boolean;
  hits = 0;
  misses = 0;
  #cache: LRUCache<string, ContextCacheEntry>;
  #isDirty = false;

  constructor(cacheDirectory: string, options: ContextCacheOptions = {}) {
    this.path = join(cacheDirectory, 'context-cache.json');
    this.isEnabled = options.isEnabled ?? true;
    this.#cache = new LRUCache<string, ContextCacheEntry>({
      maxSize: Math.max(1, Math.floor((options.maxSizeMb ?? 100) * 1024 * 1024)),
      sizeCalculation: (entry, key) => key.length + JSON.stringify(entry).length,
      ttl: Math.max(1, options.ttlSeconds ?? 86_400) * 1000,
      updateAgeOnGet: false,
    });
  }

  get size(): number {
    return this.#cache.size;
  }

  /** hits / (hits + misses), 0 before any lookup. */
  get hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }

  async load(): Promise<void> {
    if (!this.isEnabled) return;
    const dump = await readJsonFile(this.path, DumpSchema);
    if (dump) this.#cache.load(dump.entries as Array<[string, LRUCache.Entry<ContextCacheEntry>]>);
  }

  get(key: string): ContextCacheEntry | undefined {
    return this.isEnabled ? this.#cache.get(key) : undefined;
  }

  set(key: string, entry: ContextCacheEntry): void {
    if (!this.isEnabled) return;
    this.#cache.set(key, entry);
    this.#isDirty = true;
  }

  delete(key: string): void {
    if (this.#cache.delete(key)) this.#isDirty = true;
  }

  async save(): Promise<void> {
    if (!this.isEnabled || !this.#isDirty) return;
    this.#cache.purgeStale();
    await writeFileAtomicCreatingFolder(this.path, JSON.stringify({ format: 1, entries: this.#cache.dump() }));
    this.#isDirty = false;
  }
}
