import { type AgentEvent, type ProviderError, redactOutput } from '@qoder-orch/spec';
import type { InterpretRunInput } from '../errors/classify-process-failure';
import type { EventParserOptions } from './json-lines-parser';
import type { PreparedCliRun } from './prepare-cli-run';
import { type AgentProcessResult, runAgentProcess } from './run-agent-process';

/** A parser of a CLI's event stream (see `JsonLinesEventParser`). */
export interface EventStreamParser<Summary> {
  push(line: string): void;
  hasPendingToolCalls(): boolean;
  summary(): Summary;
}

export interface RunEventStreamCliInput<Summary> {
  providerId: string;
  run: PreparedCliRun;
  args: string[];
  /** Written to stdin. */
  prompt: string;
  cwd: string;
  timeoutMs: number;
  stallTimeoutMs: number;
  killGraceMs: number;
  abortSignal: AbortSignal | undefined;
  onEvent: ((event: AgentEvent) => void) | undefined;
  /** Makes the parser of this CLI's output (given the redaction of the run's secrets and `onEvent`). */
  createParser: (options: EventParserOptions) => EventStreamParser<Summary>;
  /** Whether the run succeeded; when not, its error. */
  interpret: (input: InterpretRunInput<Summary>) => ProviderError | undefined;
  installHint: string;
  authHint: string;
}

/** What one call adds to a provider's fixed options of an event-stream run. */
export type EventStreamCall = Pick<RunEventStreamCliInput<unknown>, 'run' | 'args' | 'prompt' | 'cwd' | 'timeoutMs' | 'abortSignal' | 'onEvent'>;

/**
 * Runs a CLI that prints JSON-lines events on stdout, parsing them as they come. A running tool
 * command is silence by design, not a stall. Throws the interpreted failure.
 */
export async function runEventStreamCli<Summary>(input: RunEventStreamCliInput<Summary>): Promise<{ summary: Summary; processResult: AgentProcessResult }> {
  const { run } = input;
  const parser = input.createParser({ redact: (text) => redactOutput(text, run.secrets), onEvent: input.onEvent });
  const processResult = await runAgentProcess({
    executable: run.executable,
    args: input.args,
    cwd: input.cwd,
    env: run.env,
    input: input.prompt,
    timeoutMs: input.timeoutMs,
    stallTimeoutMs: input.stallTimeoutMs,
    killGraceMs: input.killGraceMs,
    abortSignal: input.abortSignal,
    onStdoutLine: (line) => parser.push(line),
    isBusy: () => parser.hasPendingToolCalls(),
  });
  const summary = parser.summary();
  const failure = input.interpret({
    providerId: input.providerId,
    summary,
    process: processResult,
    secrets: run.secrets,
    timeoutMs: input.timeoutMs,
    stallTimeoutMs: input.stallTimeoutMs,
    installHint: input.installHint,
    authHint: input.authHint,
  });
  if (failure) throw failure;
  return { summary, processResult };
}
