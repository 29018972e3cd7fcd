/** @qoder-orch/core/test: a scripted provider and the run-store conformance suite, for tests of code built on the engine. */
export { MockAgentProvider } from './mock-agent-provider';
export type { MockAgentProviderSettings, MockCalls, MockScript, MockStep } from './mock-agent-provider';
export { describeRunStoreConformance, sampleRunState } from './run-store-conformance';
