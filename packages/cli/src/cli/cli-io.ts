/** Something text is written to: `process.stdout`, or a test's collector. */
export interface CliOutput {
  write(text: string): unknown;
  /** Whether it is a terminal (live progress and colours only then). */
  isTTY?: boolean;
  /** Terminal width in columns. */
  columns?: number;
}

/** Where answers come from: `process.stdin`, or a test's stream. */
export type CliInput = NodeJS.ReadableStream & { isTTY?: boolean };

/** Everything the command touches outside itself, so tests can drive it in-process. */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  /** Questions (approving a plan's commands) are asked only when it is a terminal. */
  stdin?: CliInput;
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths are resolved against it. @default process.cwd() */
  cwd?: string;
  /** Stops the command as Ctrl-C does (exit 130). The bin wires SIGINT/SIGTERM to it. */
  abortSignal?: AbortSignal;
}
