/** @qoder-orch/core/test: a scripted provider, the run-store conformance suite, a stand-in `gh` and a bare remote, for tests of code built on the engine. */
export { MockAgentProvider } from './mock-agent-provider';
export type { MockAgentProviderSettings, MockCalls, MockScript, MockStep } from './mock-agent-provider';
export { describeRunStoreConformance, sampleRunState } from './run-store-conformance';
export { createBareRemote, createStandInGh } from '../delivery/testing/stand-in-gh';
export type { GhCall } from '../delivery/testing/stand-in-gh';
