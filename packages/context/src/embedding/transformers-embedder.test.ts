import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { OrchestratorError } from '@qoder-orch/spec';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTransformersEmbedder, meanPoolAndNormalize } from '../index';
import type { Embedder } from '../index';
import { createTinyBertModel } from '../test/index';
import type { TinyBertModel } from '../test/index';

const TEXTS = ['Users login with email and password.', 'token', 'The cart checkout creates an order and an invoice for the customer; prices are integers in cents.', 'Every schema change is a sql migration.', 'react component'];

let root: string;
let model: TinyBertModel;
let embedder: Embedder;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qo-embedder-'));
  model = await createTinyBertModel(join(root, 'models'));
  embedder = createTransformersEmbedder({ modelDir: model.modelDir, modelName: model.modelName, allowRemoteModels: false, batchSize: 2 });
  await embedder.load?.();
});

afterAll(async () => {
  await embedder.dispose?.();
  await rm(root, { recursive: true, force: true });
});

/** The same model through the library's own feature-extraction call, without our code. */
async function libraryOutput(texts: string[]) {
  const previous = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath };
  env.allowRemoteModels = false;
  env.localModelPath = `${model.modelDir}/`;
  try {
    const extractor = await pipeline('feature-extraction', model.modelName, { dtype: 'fp32' });
    const raw = await extractor(texts);
    const pooled = await extractor(texts, { pooling: 'mean', normalize: true });
    const inputs = extractor.tokenizer(texts, { padding: true, truncation: true });
    await extractor.dispose();
    return { raw: raw.tolist() as number[][][], pooled: pooled.tolist() as number[][], mask: inputs.attention_mask.tolist() as Array<Array<number | bigint>> };
  } finally {
    Object.assign(env, previous);
  }
}

describe('createTransformersEmbedder on the tiny BERT model', () => {
  test('loads through the real pipeline with remote models off and returns unit vectors of the model size', async () => {
    const vectors = await embedder.embed(TEXTS);
    expect(vectors).toHaveLength(TEXTS.length);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector.length).toBe(model.hidden);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    }
    expect(embedder.modelName).toBe(model.modelName);
  });

  test('pooling equals a hand computation on the raw last_hidden_state, and the library pooling', async () => {
    const texts = TEXTS.slice(0, 3);
    const { raw, pooled, mask } = await libraryOutput(texts);
    const ours = await embedder.embed(texts);
    texts.forEach((_, row) => {
      // By hand: average the token rows whose mask is 1, then divide by the length.
      const tokens = (raw[row] as number[][]).filter((_, position) => Number((mask[row] as Array<number | bigint>)[position]) === 1);
      const mean = (tokens[0] as number[]).map((_, column) => tokens.reduce((sum, token) => sum + (token[column] as number), 0) / tokens.length);
      const norm = Math.hypot(...mean);
      const expected = mean.map((value) => value / norm);
      const actual = Array.from(ours[row] as Float32Array);
      expected.forEach((value, column) => expect(actual[column]).toBeCloseTo(value, 5));
      (pooled[row] as number[]).forEach((value, column) => expect(actual[column]).toBeCloseTo(value, 5));
    });
    // Padding really happened (different lengths in one batch), so the mask mattered.
    expect(mask.some((row) => row.some((value) => Number(value) === 0))).toBe(true);
  });

  test('batching gives the same vectors as one text at a time, in input order', async () => {
    const batched = await embedder.embed(TEXTS);
    for (const [index, text] of TEXTS.entries()) {
      const [single] = await embedder.embed([text]);
      Array.from(single as Float32Array).forEach((value, column) => expect((batched[index] as Float32Array)[column]).toBeCloseTo(value, 5));
    }
    // Different texts do get different vectors (the comparison above is not trivially true).
    expect(Array.from(batched[0] as Float32Array)).not.toEqual(Array.from(batched[1] as Float32Array));
  });

  test('an empty list needs no model call', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  test('a missing model is a clear NOT_INSTALLED error naming the model and the fix', async () => {
    const missing = createTransformersEmbedder({ modelDir: join(root, 'nowhere'), modelName: 'nobody/no-model', allowRemoteModels: false });
    const error = await missing.embed(['hello']).catch((caught: unknown) => caught);
    expect(OrchestratorError.isInstance(error)).toBe(true);
    expect((error as OrchestratorError).code).toBe('NOT_INSTALLED');
    expect((error as OrchestratorError).message).toContain('nobody/no-model');
    expect((error as OrchestratorError).fix).toContain('allow_remote');
  });

  test('an aborted signal stops embedding with ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await embedder.embed(TEXTS, { abortSignal: controller.signal }).catch((caught: unknown) => caught);
    expect((error as OrchestratorError).code).toBe('ABORTED');
  });
});

describe('meanPoolAndNormalize', () => {
  test('averages only unmasked positions and normalises each row', () => {
    // batch 2, sequence 2, hidden 2
    const hidden = new Float32Array([3, 4, 100, 100, 1, 0, 0, 1]);
    const pooled = meanPoolAndNormalize(hidden, [1, 0, 1, 1], 2, 2, 2);
    expect(Array.from(pooled.slice(0, 2))).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(pooled.slice(2, 4))).toEqual([expect.closeTo(Math.SQRT1_2, 6), expect.closeTo(Math.SQRT1_2, 6)]);
  });
});
