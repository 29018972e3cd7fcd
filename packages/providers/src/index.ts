/**
 * @qoder-orch/providers: agent CLI providers (Claude Code, Qoder, Codex, Gemini, any command)
 * and an AI SDK provider for planning and judging with any model,
 * implementing the LLMProviderV1 spec of @qoder-orch/spec (their only dependency on qoder-orch).
 */

// Choosing a provider
export { claudeCli, createClaudeCli } from './claude/claude-cli-provider';
export type { ClaudeCliSettings } from './claude/claude-cli-provider';
export { findClaudeExecutable } from './claude/find-claude-executable';
export { createQoderCli, qoderCli } from './qoder/qoder-cli-provider';
export type { QoderCliSettings } from './qoder/qoder-cli-provider';
export { findQoderToken } from './qoder/qoder-token';
export { codexCli, createCodexCli } from './codex/codex-cli-provider';
export type { CodexCliSettings } from './codex/codex-cli-provider';
export { createGeminiCli, geminiCli } from './gemini/gemini-cli-provider';
export type { GeminiCliSettings } from './gemini/gemini-cli-provider';
export { createCommandProvider } from './command/command-provider';
export type { CommandProviderSettings } from './command/command-provider';
export { AiSdkProvider } from './ai-sdk/ai-sdk-provider';
export type { AiSdkProviderSettings } from './ai-sdk/ai-sdk-provider';
export { AI_SDK_PREFIX, AI_SDK_PROVIDERS, AiSdkModelSettingsSchema, createAiSdkProvider, parseAiSdkProviderName } from './ai-sdk/create-ai-sdk-provider';
export type { AiSdkModelSettings, AiSdkProviderName } from './ai-sdk/create-ai-sdk-provider';
export { MODEL_PRICES, costOf, priceOf } from './ai-sdk/model-prices';
export type { ModelPrice } from './ai-sdk/model-prices';
export { PROVIDER_NAMES, createProvider } from './registry/create-provider';
export type { BuiltinProviderName, CreateProviderOptions, ProviderSettings } from './registry/create-provider';

// Reading provider failures
export { classifyProviderFailure } from './errors/classify-failure';
export type { ProviderFailure } from './errors/classify-failure';
export { parseRetryAfterMs } from './errors/retry-after';
export { parseUsageLimit } from './errors/usage-limit';
export type { UsageLimitNotice } from './errors/usage-limit';
export { parseResetClock } from './errors/reset-clock';

// Parsing Claude Code's output (for users who drive the CLI themselves)
export { ClaudeStreamParser } from './claude/claude-stream-parser';
export type { ClaudeStreamParserOptions, ClaudeStreamSummary } from './claude/claude-stream-parser';
export { ClaudeResultSchema } from './claude/claude-stream-schema';
export type { ClaudeResult } from './claude/claude-stream-schema';

// Finding executables
export { findExecutable } from './process/find-executable';
export type { FindExecutableOptions } from './process/find-executable';

// Settings every CLI provider takes
export type { CliRunSettings } from './process/cli-run-settings';
