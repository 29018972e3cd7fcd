import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ContextCache, EmbeddingCache, embeddingKey } from '../index';
import type { ContextCacheEntry } from '../index';

let root: string;
let count = 0;
const newDirectory = () => {
  count += 1;
  return join(root, `cache-${count}`);
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qo-caches-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const entry = (seq: number): ContextCacheEntry => ({ seq, chunkIds: ['a', 'b'], scores: [0.9, 0.5], cutoff: 0.25, queryVector: [0.6, 0.8] });

describe('ContextCache', () => {
  test('persists to disk and reloads in a new instance', async () => {
    const directory = newDirectory();
    const cache = new ContextCache(directory);
    cache.set('k1', entry(1));
    await cache.save();
    const reopened = new ContextCache(directory);
    await reopened.load();
    expect(reopened.get('k1')).toEqual(entry(1));
    expect(reopened.get('k2')).toBeUndefined();
  });

  test('is bounded by max_size_mb: the least recently used entries go first', () => {
    const cache = new ContextCache(newDirectory(), { maxSizeMb: 1 / 1024 }); // 1 KB
    for (let index = 0; index < 50; index += 1) cache.set(`key-${index}`, entry(index));
    expect(cache.size).toBeLessThan(50);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.get('key-49')).toEqual(entry(49));
    expect(cache.get('key-0')).toBeUndefined();
  });

  test('a torn or foreign file is an empty cache', async () => {
    const directory = newDirectory();
    const cache = new ContextCache(directory);
    cache.set('k', entry(1));
    await cache.save();
    await writeFile(cache.path, '{"format":1,"entries":[["k",{"value":');
    const reopened = new ContextCache(directory);
    await reopened.load();
    expect(reopened.size).toBe(0);
  });

  test('disabled: stores nothing and writes nothing', async () => {
    const cache = new ContextCache(newDirectory(), { isEnabled: false });
    cache.set('k', entry(1));
    expect(cache.get('k')).toBeUndefined();
    await cache.save();
    const reopened = new ContextCache(cache.path.replace(/context-cache\.json$/, ''));
    await reopened.load();
    expect(reopened.size).toBe(0);
  });
});

describe('EmbeddingCache', () => {
  test('vectors survive a reopen bit for bit, per model', async () => {
    const directory = newDirectory();
    const cache = new EmbeddingCache(directory, 'model/a');
    const vector = Float32Array.from([0.1, -0.2, 0.3, Math.PI]);
    cache.set(embeddingKey('hello'), vector);
    await cache.save();
    const reopened = new EmbeddingCache(directory, 'model/a');
    await reopened.load();
    expect(Array.from(reopened.get(embeddingKey('hello')) ?? [])).toEqual(Array.from(vector));
    const otherModel = new EmbeddingCache(directory, 'model/b');
    await otherModel.load();
    expect(otherModel.get(embeddingKey('hello'))).toBeUndefined();
  });

  test('two writers merge instead of overwriting each other', async () => {
    const directory = newDirectory();
    const first = new EmbeddingCache(directory, 'm');
    const second = new EmbeddingCache(directory, 'm');
    first.set(embeddingKey('one'), Float32Array.from([1, 0]));
    second.set(embeddingKey('two'), Float32Array.from([0, 1]));
    await first.save();
    await second.save();
    const reopened = new EmbeddingCache(directory, 'm');
    await reopened.load();
    expect(reopened.size).toBe(2);
  });

  test('a truncated file is an empty cache', async () => {
    const directory = newDirectory();
    const cache = new EmbeddingCache(directory, 'm');
    cache.set(embeddingKey('one'), Float32Array.from([1, 0, 0, 0]));
    await cache.save();
    await writeFile(cache.path, 'QOEC\u0010\u0000\u0000\u0000{"format":1');
    const reopened = new EmbeddingCache(directory, 'm');
    await reopened.load();
    expect(reopened.size).toBe(0);
  });
});
