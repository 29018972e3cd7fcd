import { OrchestratorError } from '@qoder-orch/spec';

export interface VectorMatch {
  id: string;
  /** Cosine similarity (vectors are unit length), in [-1, 1]. */
  score: number;
}

export interface VectorSearchOptions {
  /** Drop matches below this similarity. @default -1 (keep all) */
  threshold?: number;
}

/**
 * Unit vectors in one contiguous `Float32Array` (row `i` at `i * dimension`), searched by brute
 * force with a bounded top-k: no per-row arrays, no full sort. Rows are removed by moving the last
 * row into the hole, so the storage stays dense.
 */
export class VectorIndex {
  readonly dimension: number;
  #data: Float32Array;
  #ids: string[] = [];
  #rows = new Map<string, number>();

  constructor(dimension: number, initialCapacity = 64) {
    if (!Number.isInteger(dimension) || dimension <= 0) {
      throw new OrchestratorError({ code: 'UNKNOWN', message: `A vector index needs a positive dimension, got ${dimension}.` });
    }
    this.dimension = dimension;
    this.#data = new Float32Array(Math.max(1, initialCapacity) * dimension);
  }

  get size(): number {
    return this.#ids.length;
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  ids(): string[] {
    return [...this.#ids];
  }

  /** A copy of the stored vector. */
  get(id: string): Float32Array | undefined {
    const row = this.#rows.get(id);
    return row === undefined ? undefined : this.#data.slice(row * this.dimension, (row + 1) * this.dimension);
  }

  /** Adds or replaces the vector of `id` (it should be unit length). */
  set(id: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimension) {
      throw new OrchestratorError({
        code: 'UNKNOWN',
        message: `Vector for "${id}" has ${vector.length} dimensions; the index holds ${this.dimension}.`,
        fix: 'Use one embedding model per index; the embedding cache is keyed by model for this reason.',
      });
    }
    let row = this.#rows.get(id);
    if (row === undefined) {
      row = this.#ids.length;
      if ((row + 1) * this.dimension > this.#data.length) {
        const grown = new Float32Array(Math.max(this.#data.length * 2, (row + 1) * this.dimension));
        grown.set(this.#data);
        this.#data = grown;
      }
      this.#ids.push(id);
      this.#rows.set(id, row);
    }
    this.#data.set(vector, row * this.dimension);
  }

  delete(id: string): boolean {
    const row = this.#rows.get(id);
    if (row === undefined) return false;
    const last = this.#ids.length - 1;
    if (row !== last) {
      const lastId = this.#ids[last] as string;
      this.#data.copyWithin(row * this.dimension, last * this.dimension, (last + 1) * this.dimension);
      this.#ids[row] = lastId;
      this.#rows.set(lastId, row);
    }
    this.#ids.pop();
    this.#rows.delete(id);
    return true;
  }

  /** Dot product of the query with every row; the best `k` at or above the threshold, best first. */
  search(query: ArrayLike<number>, k: number, options: VectorSearchOptions = {}): VectorMatch[] {
    const threshold = options.threshold ?? -1;
    const dimension = this.dimension;
    if (query.length !== dimension || k <= 0) return [];
    const data = this.#data;
    const vector = query instanceof Float32Array ? query : Float32Array.from(query);
    const topScores: number[] = [];
    const topRows: number[] = [];
    for (let row = 0; row < this.#ids.length; row += 1) {
      const offset = row * dimension;
      // Four running sums: fewer dependent additions per step, ~2× faster in V8.
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      let column = 0;
      for (; column + 3 < dimension; column += 4) {
        sum0 += (data[offset + column] as number) * (vector[column] as number);
        sum1 += (data[offset + column + 1] as number) * (vector[column + 1] as number);
        sum2 += (data[offset + column + 2] as number) * (vector[column + 2] as number);
        sum3 += (data[offset + column + 3] as number) * (vector[column + 3] as number);
      }
      for (; column < dimension; column += 1) sum0 += (data[offset + column] as number) * (vector[column] as number);
      const score = sum0 + sum1 + sum2 + sum3;
      if (score < threshold) continue;
      if (topScores.length === k && score <= (topScores[k - 1] as number)) continue;
      let position = topScores.length < k ? topScores.length : k - 1;
      while (position > 0 && (topScores[position - 1] as number) < score) {
        topScores[position] = topScores[position - 1] as number;
        topRows[position] = topRows[position - 1] as number;
        position -= 1;
      }
      topScores[position] = score;
      topRows[position] = row;
    }
    return topRows.map((row, index) => ({ id: this.#ids[row] as string, score: topScores[index] as number }));
  }
}

/** Dot product of two vectors of the same length (cosine when both are unit length). */
export function dotProduct(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let total = 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) total += (left[index] as number) * (right[index] as number);
  return total;
}
