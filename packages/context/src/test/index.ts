/** Test helpers of @qoder-orch/context: an offline, tiny BERT-shaped model for semantic search in tests and demos. */
export { createTinyBertModel, tinyBertEmbeddingTable, tinyBertVocabulary, TINY_BERT_HIDDEN_SIZE } from './tiny-bert-model';
export type { TinyBertModel } from './tiny-bert-model';
