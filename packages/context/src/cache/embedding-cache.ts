import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomicCreatingFolder } from '../files/atomic-write';
import { contentHash } from '../files/content-hash';

const HeaderSchema = z.object({
  format: z.literal(1),
  modelName: z.string(),
  dimension: z.number().int().positive(),
  keys: z.array(z.string()),
});

const MAGIC = 'QOEC';

/** The cache key of a text: its content hash (the model is the file). */
export function embeddingKey(text: string): string {
  return contentHash([text], 24);
}

/** The file that holds one model's vectors. */
export function embeddingCachePath(cacheDirectory: string, modelName: string): string {
  const readable = modelName.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return join(cacheDirectory, 'embeddings', `${readable}-${contentHash([modelName], 8)}.bin`);
}

/**
 * Vectors on disk keyed by model and content hash, so an unchanged chunk is never embedded
 * twice, in this process or the next. One file per model: `QOEC`, a 4-byte header length,
 * the JSON header (`keys` in row order), padding to 4 bytes, then every vector as float32.
 * A missing, torn or foreign file is an empty cache, never an error.
 */
export class EmbeddingCache {
  readonly path: string;
  readonly modelName: string;
  #vectors = new Map<string, Float32Array>();
  #used = new Set<string>();
  #isDirty = false;

  constructor(cacheDirectory: string, modelName: string) {
    this.modelName = modelName;
    this.path = embeddingCachePath(cacheDirectory, modelName);
  }

  get size(): number {
    return this.#vectors.size;
  }

  async load(): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch {
      return;
    }
    try {
      if (bytes.subarray(0, 4).toString('latin1') !== MAGIC) return;
      const headerLength = bytes.readUInt32LE(4);
      const parsed = HeaderSchema.safeParse(JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')));
      if (!parsed.success || parsed.data.modelName !== this.modelName) return;
      const { dimension, keys } = parsed.data;
      const dataStart = Math.ceil((8 + headerLength) / 4) * 4;
      if (bytes.length < dataStart + keys.length * dimension * 4) return;
      const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + dataStart + keys.length * dimension * 4));
      keys.forEach((key, row) => {
        if (!this.#vectors.has(key)) this.#vectors.set(key, data.slice(row * dimension, (row + 1) * dimension));
      });
    } catch {
      // A torn or foreign file: start empty, it is only a cache.
    }
  }

  get(key: string): Float32Array | undefined {
    const vector = this.#vectors.get(key);
    if (vector) this.#used.add(key);
    return vector;
  }

  set(key: string, vector: Float32Array): void {
    this.#vectors.set(key, vector);
    this.#used.add(key);
    this.#isDirty = true;
  }

  /**
   * Writes the cache, first merging what other processes wrote meanwhile. Keeps every vector
   * used by this process and, of the rest, the most recent up to `maxEntries`.
   */
  async save(maxEntries = 50_000): Promise<void> {
    if (!this.#isDirty) return;
    const mine = this.#vectors;
    this.#vectors = new Map();
    await this.load();
    for (const [key, vector] of mine) this.#vectors.set(key, vector);
    const keys = [...this.#vectors.keys()];
    const kept = keys.filter((key) => this.#used.has(key));
    const others = keys.filter((key) => !this.#used.has(key));
    kept.push(...others.slice(Math.max(0, others.length - Math.max(0, maxEntries - kept.length))));
    const first = this.#vectors.get(kept[0] ?? '');
    const dimension = first?.length ?? 0;
    const rows = kept.filter((key) => this.#vectors.get(key)?.length === dimension);
    if (dimension === 0) return;
    const header = Buffer.from(JSON.stringify({ format: 1, modelName: this.modelName, dimension, keys: rows }), 'utf8');
    const dataStart = Math.ceil((8 + header.length) / 4) * 4;
    const bytes = Buffer.alloc(dataStart + rows.length * dimension * 4);
    bytes.write(MAGIC, 0, 'latin1');
    bytes.writeUInt32LE(header.length, 4);
    header.copy(bytes, 8);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset + dataStart, rows.length * dimension);
    rows.forEach((key, row) => data.set(this.#vectors.get(key) as Float32Array, row * dimension));
    await writeFileAtomicCreatingFolder(this.path, bytes);
    this.#isDirty = false;
  }
}
