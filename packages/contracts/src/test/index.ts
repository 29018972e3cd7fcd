/** @qoder-orch/contracts/test: scoring a verifier against a corpus of projects with known errors. */
export { scoreContractCorpus } from './contract-corpus';
export type { CorpusCaseScore, CorpusScore } from './contract-corpus';
