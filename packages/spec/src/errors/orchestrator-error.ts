const marker = 'qoder-orch.error';
const symbol = Symbol.for(marker);

/**
 * Stable error codes. A user can `switch (error.code)`; codes never change meaning.
 */
export type ErrorCode =
  // provider / agent
  | 'NOT_INSTALLED'
  | 'AUTH'
  | 'RATE_LIMITED'
  /** A subscription's usage limit (5-hour, weekly, daily quota): retrying in seconds cannot help; see `ProviderError.resetsAt`. */
  | 'USAGE_LIMIT'
  | 'OVERLOADED'
  | 'TIMEOUT'
  | 'MAX_TURNS'
  | 'BUDGET'
  | 'CRASHED'
  | 'BAD_OUTPUT'
  | 'PERMISSION_DENIED'
  | 'API_ERROR'
  // orchestration
  | 'ABORTED'
  | 'PLAN_INVALID'
  | 'CONFIG_INVALID'
  | 'SUBAGENT_INVALID'
  | 'PREFLIGHT_FAILED'
  | 'DIRTY_WORKTREE'
  | 'GIT_ERROR'
  | 'MERGE_CONFLICT'
  | 'CHECKPOINT_NOT_FOUND'
  | 'RUN_STORE_ERROR'
  | 'RUN_NOT_FOUND'
  | 'VERIFICATION_FAILED'
  | 'PATH_OUTSIDE_PROJECT'
  // results delivered as a branch and a pull request
  | 'BRANCH_INVALID'
  | 'BRANCH_EXISTS'
  | 'BRANCH_PUSH_FAILED'
  | 'PULL_REQUEST_FAILED'
  // workspace provisioning
  | 'PROVISION_FAILED'
  | 'SHARED_DEPENDENCIES_CHANGED'
  // distributed execution
  | 'QUEUE_UNAVAILABLE'
  | 'REMOTE_PUSH_FAILED'
  | 'REMOTE_RESULT_INVALID'
  | 'UNKNOWN';

export interface OrchestratorErrorOptions {
  /** What went wrong, for people. Never contains secrets. */
  message: string;
  code: ErrorCode;
  cause?: unknown;
  /** Whether trying the same thing again may succeed. @default false */
  isRetryable?: boolean;
  /** How long to wait before a retry, when the failure said so (e.g. `retry-after`). */
  retryAfterMs?: number;
  /** How to fix it, one sentence, shown with the message. */
  fix?: string;
}

/**
 * The one base class of every error qoder-orch throws. Use `OrchestratorError.isInstance(e)`
 * rather than `instanceof`: it works across duplicated package copies.
 */
export class OrchestratorError extends Error {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the brand isInstance looks for across package copies
  private readonly [symbol] = true;
  readonly code: ErrorCode;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly fix: string | undefined;

  constructor({ message, code, cause, isRetryable = false, retryAfterMs, fix }: OrchestratorErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OrchestratorError';
    this.code = code;
    this.isRetryable = isRetryable;
    this.retryAfterMs = retryAfterMs;
    this.fix = fix;
  }

  static isInstance(error: unknown): error is OrchestratorError {
    return typeof error === 'object' && error !== null && symbol in error;
  }

  /** A plain, JSON-safe description (for events, state files and reports). */
  toJSON(): SerializedError {
    return serializeError(this);
  }
}

export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  isRetryable: boolean;
  retryAfterMs?: number;
  fix?: string;
}

/** Turns anything thrown into a JSON-safe description with a code. */
export function serializeError(error: unknown): SerializedError {
  if (OrchestratorError.isInstance(error)) {
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      isRetryable: error.isRetryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.fix === undefined ? {} : { fix: error.fix }),
    };
  }
  if (error instanceof Error) {
    return { name: error.name, code: error.name === 'AbortError' ? 'ABORTED' : 'UNKNOWN', message: error.message, isRetryable: false };
  }
  return { name: 'Error', code: 'UNKNOWN', message: String(error), isRetryable: false };
}
