import type { ProviderError, Usage } from '@qoder-orch/spec';
import { classifyProviderFailure } from '../errors/classify-failure';
import type { AgentProcessResult } from '../process/run-agent-process';
import type { ClaudeStreamSummary } from './claude-stream-parser';
import type { ClaudeResult } from './claude-stream-schema';

export interface InterpretClaudeResultInput {
  providerId: string;
  summary: ClaudeStreamSummary;
  process: AgentProcessResult;
  secrets: readonly string[];
  /** Tool uses the CLI denied make the call fail (tasks); a planning call only wants text. */
  isDenialFailure: boolean;
  timeoutMs?: number | undefined;
  stallTimeoutMs?: number | undefined;
  installHint: string;
  authHint: string;
}

export type ClaudeOutcome = { isSuccess: true; result: ClaudeResult; usage: Usage; costUsd: number | undefined; sessionId: string | undefined } | { isSuccess: false; error: ProviderError };

/** Claude's usage object in the spec's shape. */
export function usageFromClaude(usage: ClaudeResult['usage']): Usage {
  const result: Usage = { inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 };
  if (usage?.cache_read_input_tokens) result.cacheReadTokens = usage.cache_read_input_tokens;
  if (usage?.cache_creation_input_tokens) result.cacheWriteTokens = usage.cache_creation_input_tokens;
  return result;
}

const SUCCESSFUL_TERMINAL_REASONS = new Set(['completed', 'end_turn']);

/**
 * Decides whether a Claude Code (or Qoder) run succeeded, from its result object first
 * (`is_error`, `terminal_reason`, `api_error_status`, `permission_denials`: never `subtype`
 * alone), then from how the process ended.
 */
export function interpretClaudeResult(input: InterpretClaudeResultInput): ClaudeOutcome {
  const { summary, process } = input;
  const result = summary.result;
  const common = {
    providerId: input.providerId,
    secrets: input.secrets,
    outputTail: process.outputTail,
    exitCode: process.exitCode,
    signal: process.signal,
    sessionId: result?.session_id ?? summary.sessionId,
    installHint: input.installHint,
    authHint: input.authHint,
  };
  if (process.isCanceled || process.isTimedOut || process.isStalled || process.spawnErrorCode) {
    return {
      isSuccess: false,
      error: classifyProviderFailure({
        ...common,
        isCanceled: process.isCanceled,
        isTimedOut: process.isTimedOut,
        isStalled: process.isStalled,
        spawnErrorCode: process.spawnErrorCode,
        timeoutMs: process.isStalled ? input.stallTimeoutMs : input.timeoutMs,
        message: process.spawnErrorMessage,
        ...(summary.lastRetryStatus === undefined ? {} : { apiStatus: summary.lastRetryStatus }),
      }),
    };
  }
  if (!result) {
    const message = [...summary.otherLines.slice(-10), process.stderrTail].join('\n').trim();
    return {
      isSuccess: false,
      error: classifyProviderFailure({
        ...common,
        message: summary.invalidResultLine ? `unrecognised result object: ${summary.invalidResultLine.slice(0, 300)}` : message || 'no result object in the output',
        isBadOutput: summary.invalidResultLine !== undefined || process.exitCode === 0,
        usageLimit: summary.usageLimit,
      }),
    };
  }
  const usage = usageFromClaude(result.usage);
  const costUsd = result.total_cost_usd ?? undefined;
  const spend = { usage, ...(costUsd === undefined ? {} : { costUsd }) };
  const terminalReason = result.terminal_reason ?? undefined;
  const isMaxTurns = result.subtype === 'error_max_turns' || terminalReason === 'max_turns';
  const isBudgetExceeded = /budget/i.test(result.subtype) || /budget/i.test(terminalReason ?? '');
  const isFailed = result.is_error || result.subtype.startsWith('error') || (terminalReason !== undefined && !SUCCESSFUL_TERMINAL_REASONS.has(terminalReason)) || result.api_error_status != null;
  if (isFailed) {
    const errors = (result.errors ?? []).map((error) => (typeof error === 'string' ? error : JSON.stringify(error)));
    const message = [result.result ?? '', ...errors].filter(Boolean).join('\n') || `${result.subtype} (${terminalReason ?? 'no reason given'})`;
    return {
      isSuccess: false,
      error: classifyProviderFailure({
        ...common,
        ...spend,
        message,
        isMaxTurns,
        isBudgetExceeded,
        usageLimit: summary.usageLimit,
        ...(result.api_error_status == null ? {} : { apiStatus: result.api_error_status }),
        // A failure with no more precise cause is the API's when it said so, else the CLI's.
        isBadOutput: false,
      }),
    };
  }
  const denials = (result.permission_denials ?? []).map((denial) => denial.tool_name);
  if (input.isDenialFailure && denials.length > 0) {
    return {
      isSuccess: false,
      error: classifyProviderFailure({ ...common, ...spend, permissionDenials: denials, message: result.result ?? '' }),
    };
  }
  return { isSuccess: true, result, usage, costUsd, sessionId: result.session_id ?? summary.sessionId };
}
