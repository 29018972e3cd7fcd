import { type RunTaskResult, type Usage, redactJson, redactOutput } from '@qoder-orch/spec';
import type { ClaudeOutcome } from './interpret-claude-result';
import type { SuccessfulClaudeShapedRun } from './run-claude-shaped';

type SuccessfulOutcome = Extract<ClaudeOutcome, { isSuccess: true }>;

/** The usage and cost (when known) of a successful run, as results and errors carry them. */
export function spendOf(outcome: SuccessfulOutcome): { usage: Usage; costUsd?: number } {
  return { usage: outcome.usage, ...(outcome.costUsd === undefined ? {} : { costUsd: outcome.costUsd }) };
}

/** Usage, cost and session id (when known) of a successful run. */
export function spendAndSessionOf(outcome: SuccessfulOutcome): { usage: Usage; costUsd?: number; sessionId?: string } {
  return { ...spendOf(outcome), ...(outcome.sessionId === undefined ? {} : { sessionId: outcome.sessionId }) };
}

/**
 * The result of a task run by a Claude-shaped CLI: the result text (else the agent's last text
 * block), redacted, with usage, cost, session, turns, duration and structured output when known.
 */
export function claudeShapedTaskResult(shaped: SuccessfulClaudeShapedRun, secrets: readonly string[]): RunTaskResult {
  const { outcome } = shaped;
  const { result } = outcome;
  return {
    summary: redactOutput(result.result ?? shaped.summary.texts.at(-1) ?? '', secrets),
    ...spendAndSessionOf(outcome),
    ...(result.num_turns == null ? {} : { numTurns: result.num_turns }),
    durationMs: shaped.process.durationMs,
    ...(result.structured_output === undefined ? {} : { structuredOutput: redactJson(result.structured_output, secrets) }),
  };
}
