import { OrchestratorError } from '@qoder-orch/spec';
import { describe, expect, test } from 'vitest';
import { normalizeInPlace, VectorIndex } from '../index';

function randomUnitVectors(count: number, dimension: number, seed: number): Float32Array[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648 - 0.5;
  };
  return Array.from({ length: count }, () => normalizeInPlace(Float32Array.from({ length: dimension }, next)));
}

const dot = (left: Float32Array, right: Float32Array) => left.reduce((sum, value, index) => sum + value * (right[index] as number), 0);

describe('VectorIndex', () => {
  test('top-k equals a full sort of every cosine, best first', () => {
    const vectors = randomUnitVectors(300, 16, 7);
    const index = new VectorIndex(16, 4); // starts small: growth is exercised
    vectors.forEach((vector, row) => index.set(`c${row}`, vector));
    const [query] = randomUnitVectors(1, 16, 99) as [Float32Array];
    const expected = vectors
      .map((vector, row) => ({ id: `c${row}`, score: dot(vector, query) }))
      .sort((left, right) => right.score - left.score)
      .slice(0, 10);
    const found = index.search(query, 10);
    expect(found.map((match) => match.id)).toEqual(expected.map((match) => match.id));
    found.forEach((match, position) => expect(match.score).toBeCloseTo((expected[position] as { score: number }).score, 5));
  });

  test('the threshold drops weak matches', () => {
    const vectors = randomUnitVectors(100, 8, 3);
    const index = new VectorIndex(8);
    vectors.forEach((vector, row) => index.set(`c${row}`, vector));
    const query = vectors[0] as Float32Array;
    const found = index.search(query, 100, { threshold: 0.5 });
    expect(found[0]).toEqual({ id: 'c0', score: expect.closeTo(1, 5) });
    expect(found.every((match) => match.score >= 0.5)).toBe(true);
    expect(found.length).toBe(vectors.filter((vector) => dot(vector, query) >= 0.5).length);
  });

  test('delete moves the last row into the hole and keeps every id on its own vector', () => {
    const vectors = randomUnitVectors(5, 4, 11);
    const index = new VectorIndex(4);
    vectors.forEach((vector, row) => index.set(`c${row}`, vector));
    expect(index.delete('c1')).toBe(true);
    expect(index.delete('c1')).toBe(false);
    expect(index.size).toBe(4);
    expect(index.has('c1')).toBe(false);
    for (const row of [0, 2, 3, 4]) {
      expect(Array.from(index.get(`c${row}`) as Float32Array)).toEqual(Array.from(vectors[row] as Float32Array));
      expect(index.search(vectors[row] as Float32Array, 1)[0]?.id).toBe(`c${row}`);
    }
    index.set('c2', vectors[4] as Float32Array); // replace in place
    expect(index.size).toBe(4);
  });

  test('a vector of the wrong size is refused with a clear error', () => {
    const index = new VectorIndex(4);
    expect(() => index.set('x', new Float32Array(3))).toThrow(OrchestratorError);
    expect(index.search(new Float32Array(3), 5)).toEqual([]);
  });
});
