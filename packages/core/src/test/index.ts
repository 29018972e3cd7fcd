/** @qoder-orch/core/test: helpers for unit tests of qoder-orch and of users' own orchestration. */
export { MockAgentProvider } from './mock-agent-provider';
export type { MockAgentProviderSettings, MockCalls, MockScript, MockStep } from './mock-agent-provider';
export { describeRunStoreConformance, sampleRunState } from './run-store-conformance';
export { scoreContractCorpus } from './contract-corpus';
export type { CorpusCaseScore, CorpusScore } from './contract-corpus';
