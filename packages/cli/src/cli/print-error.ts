import { OrchestratorError } from '@qoder-orch/core';
import type { CliOutput } from './cli-io';
import type { Style } from '../render/terminal-style';
import { terminalSafeText } from '../render/terminal-safe';

/** `error: …` and, when known, `hint: …` on stderr. Never a stack trace for known errors. */
export function printError(output: CliOutput, error: unknown, style: Style, redactText: (text: string) => string = (text) => text): void {
  // Messages may quote a model's or an agent's output.
  const redact = (text: string) => redactText(terminalSafeText(text));
  if (OrchestratorError.isInstance(error)) {
    output.write(`${style.red('error:')} ${redact(error.message)}${error.code === 'CONFIG_INVALID' || error.code === 'UNKNOWN' ? '' : style.dim(` [${error.code}]`)}\n`);
    if (error.fix) output.write(`${style.dim('hint:')} ${redact(error.fix)}\n`);
    return;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  output.write(`${style.red('error:')} unexpected failure: ${redact(message)}\n`);
  output.write(`${style.dim('hint:')} this is a bug in qoder-orchestrate; please report it with the run's orchestration.log.\n`);
}
