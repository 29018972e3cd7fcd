/**
 * @qoder-orch/providers/test: fake model servers that let tests drive the real agent CLIs
 * offline. Nothing here needs more than Node.
 */
export { createFakeAnthropicServer } from './fake-anthropic-server';
export type { FakeAnthropicServer, FakeAnthropicServerOptions } from './fake-anthropic-server';
export type { FakeAnthropicRequest, FakeToolResult } from './anthropic-request';
export { reply, errorTypeFor } from './anthropic-replies';
export type { FakeAnthropicReply, FakeContentBlock, FakeUsage } from './anthropic-replies';
export { always, flaky, routeByText, sequence } from './anthropic-scripts';
export type { FakeAnthropicHandler, FakeAnthropicHandlerResult, FakeRoute } from './anthropic-scripts';
export { createFakeCodexServer } from './fake-codex-server';
export type { FakeCodexReply, FakeCodexRequest, FakeCodexServer, FakeCodexServerOptions } from './fake-codex-server';
export { createFakeGeminiServer } from './fake-gemini-server';
export type { FakeGeminiReply, FakeGeminiRequest, FakeGeminiServer, FakeGeminiServerOptions } from './fake-gemini-server';
export { fakeClaudeCliSettings, fakeClaudeCommand } from './fake-claude-setup';
export type { FakeClaudeCommand, FakeClaudeCommandOptions } from './fake-claude-setup';
export { isProcessRunning, processesWithEnvironment } from '../process/process-liveness';
export { installQoderStub } from './qoder-stub';
export { fakeCodexCliSettings, fakeGeminiCliSettings } from './fake-cli-settings';
// ── test helpers shared by the provider tests (area: providers dedupe) ─────
export { failureOf } from './failure-of';
