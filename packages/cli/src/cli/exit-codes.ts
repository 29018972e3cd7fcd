/**
 * The exit codes of `qoder-orchestrate`. Stable: scripts may rely on them.
 */
export const EXIT_CODES = {
  /** The objective was met (or the plan/validation/listing asked for succeeded). */
  met: 0,
  /** The run ended without meeting the objective: judged not met, max iterations, no progress, or the budget spent. */
  notMet: 1,
  /** The run failed: pre-flight checks, a missing agent CLI, a git or run-store error, or a bug. */
  failed: 2,
  /** Invalid input: unknown flag, bad value, bad config file, unknown run id. */
  invalidInput: 3,
  /** Cancelled (Ctrl-C / SIGTERM); the run can be resumed. */
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
