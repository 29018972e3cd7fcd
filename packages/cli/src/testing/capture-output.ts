import type { CliIo, CliOutput } from '../cli/cli-io';

/** A CliOutput that keeps what was written. */
export interface CapturedOutput extends CliOutput {
  text(): string;
}

export function captureOutput(options: { isTTY?: boolean; columns?: number } = {}): CapturedOutput {
  const chunks: string[] = [];
  return {
    write(text: string) {
      chunks.push(text);
      return true;
    },
    ...(options.isTTY === undefined ? {} : { isTTY: options.isTTY }),
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    text: () => chunks.join(''),
  };
}

/** An io for runCli with captured stdout/stderr and a clean environment. */
export function captureIo(options: { env?: Record<string, string>; cwd?: string; isTTY?: boolean; abortSignal?: AbortSignal } = {}): CliIo & { stdout: CapturedOutput; stderr: CapturedOutput } {
  return {
    stdout: captureOutput(options.isTTY === undefined ? {} : { isTTY: options.isTTY, columns: 100 }),
    stderr: captureOutput(),
    env: options.env ?? {},
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
  };
}
