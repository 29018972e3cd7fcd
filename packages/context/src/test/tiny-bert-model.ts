import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Hidden size of the generated model. */
export const TINY_BERT_HIDDEN_SIZE = 64;

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Common English and programming words; anything else is spelled with letter pieces. */
const WORDS = `
the a an and or not of to in on at for with by from as is are was be been it its this that these those
if then else when while do does did done can could should would will must may use used using
what which who how why where all any each every some no yes more most less new old first last
add remove update delete create read write get set put post run test tests build make find
file files folder path name names type types value values key keys list map table row rows
user users account accounts login logout password passwords session sessions token tokens
auth authentication authorization permission permissions role roles admin
api endpoint endpoints route routes request requests response responses server client http json
database db query queries schema schemas model models migration migrations index sql
cache caching memory disk store storage queue job jobs worker workers task tasks
error errors exception retry timeout log logs logging debug warning
config configuration setting settings option options environment env secret secrets
function functions class classes method methods module modules package packages import export
string number boolean array object null true false date time
code source test unit integration check lint format style rule rules convention
git branch commit merge repository repo diff
frontend backend ui page pages component components button form view react css html
payment payments invoice invoices order orders price cart checkout customer product products
email message messages notification notifications event events
deploy deployment docker image container cloud
wiki skill skills agent agents context search refresh version
expire expires expiry refresh rotate sign signed verify jwt hash hashing bcrypt
`
  .split(/\s+/)
  .filter(Boolean)
  // Plurals are spelled `word ##s` / `word ##es`, so "migration" and "migrations" share a token.
  .filter((word, _, words) => !(word.endsWith('s') && (words.includes(word.slice(0, -1)) || (word.endsWith('es') && words.includes(word.slice(0, -2))))));

const SUFFIXES = ['s', 'es', 'ed', 'ing', 'er', 'ers', 'ly', 'tion', 'ions', 'ment', 'able', 'al', 'ity', 'ness', 'ize', 'ate', 'y'];
const PUNCTUATION = [...'.,;:!?\'"()[]{}<>/\\-_=+*&^%$#@~`|'];

/** The vocabulary: specials, words, letters, digits, punctuation and their `##` forms, deduplicated. */
export function tinyBertVocabulary(): string[] {
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  const digits = [...'0123456789'];
  const tokens = [...SPECIAL_TOKENS, ...PUNCTUATION, ...digits, ...letters, ...WORDS, ...digits.map((digit) => `##${digit}`), ...letters.map((letter) => `##${letter}`), ...SUFFIXES.map((suffix) => `##${suffix}`)];
  return [...new Set(tokens)];
}

/** FNV-1a, 32 bits: a stable seed per token string. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small deterministic generator of floats in [0, 1). */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Words that occur in almost every text: small vectors, so they do not make all texts alike. */
const FUNCTION_WORDS = new Set('the a an and or not of to in on at for with by from as is are was be been it its this that these those if then else when while do does did done can could should would will must may'.split(' '));

/** How much a token weighs in a mean-pooled sentence vector: content words most. */
function tokenScale(token: string): number {
  if (SPECIAL_TOKENS.includes(token as (typeof SPECIAL_TOKENS)[number])) return 0.05;
  if (FUNCTION_WORDS.has(token)) return 0.1;
  // Letters, digits, punctuation and `##` pieces spell unknown words: shared by unrelated words.
  if (token.length === 1 || token.startsWith('##')) return 0.03;
  return 1;
}

/**
 * The word-embedding table: one deterministic pseudo-random vector per token (seeded by the
 * token's text), so texts that share content words get similar mean-pooled vectors. Special
 * tokens, function words and word pieces are scaled down so they do not dominate every sentence.
 */
export function tinyBertEmbeddingTable(vocabulary: readonly string[], hidden = TINY_BERT_HIDDEN_SIZE): Float32Array {
  const table = new Float32Array(vocabulary.length * hidden);
  vocabulary.forEach((token, row) => {
    const next = randomGenerator(hashString(token));
    const scale = tokenScale(token);
    for (let column = 0; column < hidden; column += 1) table[row * hidden + column] = (next() * 2 - 1) * scale;
  });
  return table;
}

function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return bytes;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setBigInt64(index * 8, BigInt(value), true));
  return bytes;
}

/** The ONNX graph: last_hidden_state = tanh((E[input_ids] + T[token_type_ids]) · W) ⊙ (0.5 + 0.5 · mask). */
async function buildOnnxModel(embeddings: Float32Array, vocabularySize: number, hidden: number): Promise<Uint8Array> {
  let onnxModule: typeof import('onnx-proto');
  try {
    onnxModule = await import('onnx-proto');
  } catch (error) {
    throw new Error('createTinyBertModel needs the `onnx-proto` package: install it as a dev dependency.', { cause: error });
  }
  const { onnx } = (onnxModule as unknown as { default?: typeof import('onnx-proto') }).default ?? onnxModule;
  const { DataType } = onnx.TensorProto;
  const typeEmbeddings = new Float32Array(2 * hidden);
  const nextType = randomGenerator(7);
  for (let index = 0; index < typeEmbeddings.length; index += 1) typeEmbeddings[index] = (nextType() * 2 - 1) * 0.01;
  const dense = new Float32Array(hidden * hidden);
  for (let index = 0; index < hidden; index += 1) dense[index * hidden + index] = 1;

  const tensor = (name: string, dims: number[], dataType: number, rawData: Uint8Array) => onnx.TensorProto.create({ name, dims, dataType, rawData });
  const dimensions = (names: Array<string | number>) => onnx.TensorShapeProto.create({ dim: names.map((name) => (typeof name === 'string' ? { dimParam: name } : { dimValue: name })) });
  const valueInfo = (name: string, elemType: number, shape: Array<string | number>) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: dimensions(shape) } } });
  const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => onnx.NodeProto.create({ opType, input, output, name: output[0] ?? opType, attribute });

  const graph = onnx.GraphProto.create({
    name: 'tiny-bert',
    node: [
      node('Gather', ['word_embeddings', 'input_ids'], ['words'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
      node('Gather', ['type_embeddings', 'token_type_ids'], ['types'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
      node('Add', ['words', 'types'], ['summed']),
      node('MatMul', ['summed', 'dense'], ['projected']),
      node('Tanh', ['projected'], ['activated']),
      node('Cast', ['attention_mask'], ['mask_float'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT }]),
      // Padded positions keep half their output, as a real BERT's padded positions are not zero:
      // pooling that ignored the attention mask would give different vectors.
      node('Mul', ['mask_float', 'half'], ['mask_half']),
      node('Add', ['mask_half', 'half'], ['mask_weight']),
      node('Unsqueeze', ['mask_weight', 'unsqueeze_axes'], ['mask_3d']),
      node('Mul', ['activated', 'mask_3d'], ['last_hidden_state']),
    ],
    initializer: [
      tensor('word_embeddings', [vocabularySize, hidden], DataType.FLOAT, float32Bytes(embeddings)),
      tensor('type_embeddings', [2, hidden], DataType.FLOAT, float32Bytes(typeEmbeddings)),
      tensor('dense', [hidden, hidden], DataType.FLOAT, float32Bytes(dense)),
      tensor('unsqueeze_axes', [1], DataType.INT64, int64Bytes([-1])),
      tensor('half', [], DataType.FLOAT, float32Bytes(new Float32Array([0.5]))),
    ],
    input: [
      valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
      valueInfo('token_type_ids', DataType.INT64, ['batch_size', 'sequence_length']),
    ],
    output: [valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', hidden])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'qoder-orch-tiny-bert',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function tokenizerJson(vocabulary: readonly string[]): object {
  const ids = Object.fromEntries(vocabulary.map((token, index) => [token, index]));
  const id = (token: string) => ids[token] as number;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((token) => ({
      id: id(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

/** What {@link createTinyBertModel} wrote. */
export interface TinyBertModel {
  /** Use as the embedder's `modelDir` (transformers' `env.localModelPath`). */
  modelDir: string;
  /** Use as the embedder's `modelName`. */
  modelName: string;
  /** `modelDir/modelName`. */
  path: string;
  vocabulary: string[];
  hidden: number;
}

/**
 * Writes a tiny BERT-shaped model (hidden 64, ~350 WordPiece tokens, a ~110 KB ONNX graph) that loads
 * through the real `pipeline('feature-extraction')` path with remote models disabled:
 * `config.json`, `tokenizer.json`, `tokenizer_config.json`, `onnx/model.onnx` and the same bytes as
 * `onnx/model_quantized.onnx`. Deterministic: the same files every time.
 *
 * @param dir Where to write; the model goes to `<dir>/<modelName>`.
 * @param modelName @default 'tiny/bert'
 */
export async function createTinyBertModel(dir: string, modelName = 'tiny/bert'): Promise<TinyBertModel> {
  const vocabulary = tinyBertVocabulary();
  const hidden = TINY_BERT_HIDDEN_SIZE;
  const path = join(dir, modelName);
  await mkdir(join(path, 'onnx'), { recursive: true });
  const config = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: hidden,
    num_attention_heads: 2,
    num_hidden_layers: 1,
    intermediate_size: hidden * 2,
    vocab_size: vocabulary.length,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  };
  const onnxBytes = await buildOnnxModel(tinyBertEmbeddingTable(vocabulary, hidden), vocabulary.length, hidden);
  await writeFile(join(path, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(path, 'tokenizer.json'), `${JSON.stringify(tokenizerJson(vocabulary))}\n`);
  await writeFile(join(path, 'tokenizer_config.json'), `${JSON.stringify(tokenizerConfig, null, 2)}\n`);
  await writeFile(join(path, 'onnx', 'model.onnx'), onnxBytes);
  await writeFile(join(path, 'onnx', 'model_quantized.onnx'), onnxBytes);
  return { modelDir: dir, modelName, path, vocabulary, hidden };
}
