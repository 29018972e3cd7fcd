import type { AgentEvent } from '@qoder-orch/spec';
import { redactOutput } from '@qoder-orch/spec';
import { type AgentProcessResult, runAgentProcess } from '../process/run-agent-process';
import { ClaudeStreamParser, type ClaudeStreamSummary } from './claude-stream-parser';
import { type ClaudeOutcome, interpretClaudeResult } from './interpret-claude-result';

export interface ClaudeShapedRunOptions {
  providerId: string;
  executable: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  secrets: readonly string[];
  /** The prompt on stdin, when it is not in `args`; a promise for a warm start (see `RunAgentProcessOptions.input`). */
  input?: string | Promise<string | undefined> | undefined;
  timeoutMs: number;
  stallTimeoutMs?: number | undefined;
  killGraceMs: number;
  abortSignal?: AbortSignal | undefined;
  onEvent?: ((event: AgentEvent) => void) | undefined;
  isDenialFailure: boolean;
  installHint: string;
  authHint: string;
}

export interface ClaudeShapedRun {
  outcome: ClaudeOutcome;
  process: AgentProcessResult;
  summary: ClaudeStreamSummary;
}

/**
 * Runs a CLI that prints Claude Code's output shapes (`json` or `stream-json`: Claude Code
 * itself, Qoder) and decides how it went.
 */
export async function runClaudeShaped(options: ClaudeShapedRunOptions): Promise<ClaudeShapedRun> {
  const parser = new ClaudeStreamParser({ redact: (text) => redactOutput(text, options.secrets), onEvent: options.onEvent });
  const processResult = await runAgentProcess({
    executable: options.executable,
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    input: options.input,
    timeoutMs: options.timeoutMs,
    stallTimeoutMs: options.stallTimeoutMs,
    killGraceMs: options.killGraceMs,
    abortSignal: options.abortSignal,
    onStdoutLine: (line) => parser.push(line),
    // A running tool (a long build or test command) is silence by design, not a stall.
    isBusy: () => parser.hasPendingToolCalls(),
  });
  // `--output-format json` may print the result object over several lines.
  if (!parser.summary().result && processResult.stdout.trim().startsWith('{')) parser.push(processResult.stdout.replace(/\s*\n\s*/g, ' '));
  const summary = parser.summary();
  const outcome = interpretClaudeResult({
    providerId: options.providerId,
    summary,
    process: processResult,
    secrets: options.secrets,
    isDenialFailure: options.isDenialFailure,
    timeoutMs: options.timeoutMs,
    stallTimeoutMs: options.stallTimeoutMs,
    installHint: options.installHint,
    authHint: options.authHint,
  });
  return { outcome, process: processResult, summary };
}

/** What one call adds to a provider's fixed options of a Claude-shaped run. */
export type ClaudeShapedCall = Pick<ClaudeShapedRunOptions, 'args' | 'input' | 'cwd' | 'timeoutMs' | 'abortSignal' | 'onEvent' | 'isDenialFailure'>;

/** A Claude-shaped run that succeeded. */
export interface SuccessfulClaudeShapedRun extends ClaudeShapedRun {
  outcome: Extract<ClaudeOutcome, { isSuccess: true }>;
}

/** Runs a Claude-shaped CLI; throws the classified failure when the run did not succeed. */
export async function runClaudeShapedOrThrow(options: ClaudeShapedRunOptions): Promise<SuccessfulClaudeShapedRun> {
  const shaped = await runClaudeShaped(options);
  if (!shaped.outcome.isSuccess) throw shaped.outcome.error;
  return { ...shaped, outcome: shaped.outcome };
}
