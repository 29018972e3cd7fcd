import { OrchestratorError, SerialQueue } from '@qoder-orch/spec';
import type { Embedder } from './embedder';
import { meanPoolAndNormalize } from './mean-pooling';

/** Options of {@link createTransformersEmbedder}. */
export interface TransformersEmbedderOptions {
  /** A sentence-transformers model in ONNX form (hub id or a folder name under `modelDir`). @default 'Xenova/all-MiniLM-L6-v2' */
  modelName?: string;
  /** Where models are looked up first (transformers' `env.localModelPath`). @default transformers' own default (`/models/`) */
  modelDir?: string;
  /** Download from the Hugging Face hub when the model is not in `modelDir`. @default true */
  allowRemoteModels?: boolean;
  /** Where downloaded models are kept (transformers' `env.cacheDir`). @default transformers' own default */
  downloadCacheDir?: string;
  /** Which ONNX weights: `fp32` → `onnx/model.onnx`, `q8` → `onnx/model_quantized.onnx`. @default 'fp32' */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';
  /** Texts per forward pass. @default 16 */
  batchSize?: number;
  /** Longest input in tokens; longer texts are truncated. @default 256 */
  maxTokens?: number;
  /**
   * The module that provides the model runtime, imported at the first load. Only tests change it
   * (a name that does not resolve exercises the "not installed" path for real).
   * @default '@huggingface/transformers'
   */
  runtimeModule?: string;
}

/** The optional peer dependency that runs the model; installed separately for semantic search. */
export const TRANSFORMERS_PACKAGE = '@huggingface/transformers';

type TransformersModule = typeof import('@huggingface/transformers');

interface RawTensor {
  data: ArrayLike<number | bigint>;
  dims: number[];
}

interface LoadedModel {
  tokenizer: (texts: string[], options: { padding: boolean; truncation: boolean; max_length: number }) => Record<string, RawTensor>;
  model: (inputs: Record<string, RawTensor>) => Promise<Record<string, RawTensor>>;
  dispose?: () => Promise<unknown>;
}

/** transformers keeps its paths in one global `env`: loads that change it run one at a time. */
const loadQueue = new SerialQueue();

const isModuleNotFound = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || (error instanceof Error && /Cannot find (module|package)|Failed to load url/.test(error.message));
};

/**
 * Imports the runtime only now: `@huggingface/transformers` (and its ONNX runtimes, ~430 MB) is an
 * optional peer dependency, so an install without semantic search stays light.
 */
async function importRuntime(moduleName: string): Promise<TransformersModule> {
  try {
    // The literal keeps the default visible to bundlers as an external; any other name is a test seam.
    return moduleName === TRANSFORMERS_PACKAGE ? await import('@huggingface/transformers') : ((await import(/* @vite-ignore */ moduleName)) as TransformersModule);
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new OrchestratorError({
      code: 'NOT_INSTALLED',
      message: `The package ${moduleName} is not installed; semantic search needs it (npm install ${moduleName}).`,
      cause: error,
      fix: `npm install ${moduleName}`,
    });
  }
}

async function loadModel(options: Required<Pick<TransformersEmbedderOptions, 'modelName' | 'allowRemoteModels' | 'dtype' | 'runtimeModule'>> & TransformersEmbedderOptions): Promise<LoadedModel> {
  const { env, pipeline } = await importRuntime(options.runtimeModule);
  const previous = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath, cacheDir: env.cacheDir };
  env.allowRemoteModels = options.allowRemoteModels;
  if (options.modelDir !== undefined) env.localModelPath = options.modelDir.endsWith('/') ? options.modelDir : `${options.modelDir}/`;
  if (options.downloadCacheDir !== undefined) env.cacheDir = options.downloadCacheDir;
  try {
    const extractor = await pipeline('feature-extraction', options.modelName, { dtype: options.dtype });
    return extractor as unknown as LoadedModel;
  } finally {
    Object.assign(env, previous);
  }
}

function modelLoadError(modelName: string, options: TransformersEmbedderOptions, cause: unknown): OrchestratorError {
  // A missing runtime is its own clear error: no model folder or network would fix it.
  if (OrchestratorError.isInstance(cause) && cause.code === 'NOT_INSTALLED') return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new OrchestratorError({
    code: 'NOT_INSTALLED',
    message: `The embedding model "${modelName}" could not be loaded${options.modelDir === undefined ? '' : ` from ${options.modelDir}`}: ${reason}`,
    cause,
    fix:
      options.allowRemoteModels === false
        ? `Put the model (config.json, tokenizer.json, onnx/model.onnx) in <model_dir>/${modelName}, or set semantic_search.allow_remote to true.`
        : 'Check the network access to huggingface.co, or download the model once and set semantic_search.model_dir.',
  });
}

function checkAbort(abortSignal: AbortSignal | undefined): void {
  if (abortSignal?.aborted) {
    throw new OrchestratorError({ code: 'ABORTED', message: 'Embedding was aborted.', cause: abortSignal.reason });
  }
}

/**
 * An {@link Embedder} on `@huggingface/transformers`: loads the model through the
 * `feature-extraction` pipeline, runs the tokenizer and the ONNX model itself, then mean-pools
 * and L2-normalises the raw `last_hidden_state` with plain typed-array loops (the library's own
 * pooling is far slower). Texts are batched by similar length so padding stays small; the
 * vectors do not depend on the batching. The model loads at the first `embed` (or `load`);
 * a load failure is an `OrchestratorError` (`NOT_INSTALLED`) and is remembered.
 */
export function createTransformersEmbedder(options: TransformersEmbedderOptions = {}): Embedder {
  const modelName = options.modelName ?? 'Xenova/all-MiniLM-L6-v2';
  const dtype = options.dtype ?? 'fp32';
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const maxTokens = Math.max(8, options.maxTokens ?? 256);
  let loading: Promise<LoadedModel> | undefined;

  const load = (): Promise<LoadedModel> => {
    loading ??= (async () => {
      const run = loadQueue.run(() => loadModel({ ...options, modelName, dtype, allowRemoteModels: options.allowRemoteModels ?? true, runtimeModule: options.runtimeModule ?? TRANSFORMERS_PACKAGE }));
      try {
        return await run;
      } catch (error) {
        throw modelLoadError(modelName, options, error);
      }
    })();
    return loading;
  };

  const embedBatch = async (model: LoadedModel, texts: string[]): Promise<Float32Array[]> => {
    const inputs = model.tokenizer(texts, { padding: true, truncation: true, max_length: maxTokens });
    const outputs = await model.model(inputs);
    const hiddenState = outputs.last_hidden_state ?? outputs.token_embeddings ?? Object.values(outputs)[0];
    const mask = inputs.attention_mask;
    if (hiddenState === undefined || mask === undefined || hiddenState.dims.length !== 3) {
      throw new OrchestratorError({
        code: 'BAD_OUTPUT',
        message: `The embedding model "${modelName}" did not return a [batch, sequence, hidden] last_hidden_state.`,
        fix: 'Use a sentence-transformers (BERT-like) feature-extraction model.',
      });
    }
    const [batch, sequence, hidden] = hiddenState.dims as [number, number, number];
    const pooled = meanPoolAndNormalize(hiddenState.data as Float32Array, mask.data, batch, sequence, hidden);
    return texts.map((_, row) => pooled.slice(row * hidden, (row + 1) * hidden));
  };

  return {
    modelName,
    async load(loadOptions) {
      checkAbort(loadOptions?.abortSignal);
      await load();
    },
    async embed(texts, embedOptions) {
      if (texts.length === 0) return [];
      const model = await load();
      // Similar lengths together: less padding, same vectors.
      const order = texts.map((_, index) => index).sort((left, right) => (texts[left] as string).length - (texts[right] as string).length);
      const vectors = new Array<Float32Array>(texts.length);
      for (let start = 0; start < order.length; start += batchSize) {
        checkAbort(embedOptions?.abortSignal);
        const indices = order.slice(start, start + batchSize);
        const batchVectors = await embedBatch(
          model,
          indices.map((index) => texts[index] as string),
        );
        indices.forEach((index, position) => {
          vectors[index] = batchVectors[position] as Float32Array;
        });
      }
      return vectors;
    },
    async dispose() {
      const current = loading;
      loading = undefined;
      if (current) await (await current.catch(() => undefined))?.dispose?.();
    },
  };
}
