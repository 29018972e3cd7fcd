/**
 * The exit codes of `qoder-orchestrate`. Stable: scripts may rely on them.
 */
export const EXIT_CODES = {
  /** The objective was met (or the plan/validation/listing asked for succeeded). */
  met: 0,
  /** The run finished but the judge found the objective not met. */
  notMet: 1,
  /** The run failed: preflight, provider, git, budget or an unexpected error. */
  failed: 2,
  /** Invalid input: unknown flag, bad value, bad config file, unknown run id. */
  invalidInput: 3,
  /** Cancelled (Ctrl-C / SIGTERM); the run can be resumed. */
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
