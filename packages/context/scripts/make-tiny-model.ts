/**
 * Writes the tiny BERT-shaped test model (see `createTinyBertModel`).
 * Usage: node --import tsx packages/context/scripts/make-tiny-model.ts [dir] [modelName]
 * @default dir `packages/context/.cache/models`, modelName `tiny/bert`
 */
import { fileURLToPath } from 'node:url';
import { createTinyBertModel } from '../src/test/tiny-bert-model';

const dir = process.argv[2] ?? fileURLToPath(new URL('../.cache/models', import.meta.url));
const model = await createTinyBertModel(dir, process.argv[3]);
console.log(`tiny model (${model.vocabulary.length} tokens, hidden ${model.hidden}) written to ${model.path}`);
