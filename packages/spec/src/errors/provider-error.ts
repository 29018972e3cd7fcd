import type { Usage } from '../provider/usage';
import { type ErrorCode, OrchestratorError, type OrchestratorErrorOptions } from './orchestrator-error';

/** Codes that are worth retrying by default when a provider fails with them. */
export const RETRYABLE_PROVIDER_CODES: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'OVERLOADED', 'TIMEOUT', 'CRASHED', 'API_ERROR']);

export interface ProviderErrorOptions extends OrchestratorErrorOptions {
  providerId: string;
  /** The process exit code, when a process ran. */
  exitCode?: number;
  /** The signal that ended the process, e.g. `SIGKILL`. */
  signal?: string;
  /** Our outer timeout ended the process. */
  isTimedOut?: boolean;
  /** The caller's AbortSignal ended the process. */
  isCanceled?: boolean;
  /** What was spent before the failure: the cost ledger counts failed attempts too. */
  usage?: Usage;
  costUsd?: number;
  /** The agent session, so a later attempt can resume it. */
  sessionId?: string;
  /** The last lines of the process output, already redacted of secrets. */
  outputTail?: string;
  /** The HTTP status the agent's API answered, when known (429, 529, 401 …). */
  apiStatus?: number;
  /** For `USAGE_LIMIT`: when the limit resets, when the CLI said so. */
  resetsAt?: Date;
}

/** A provider failed. Carries execa-style flags and the partial spend. */
export class ProviderError extends OrchestratorError {
  readonly providerId: string;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly isTimedOut: boolean;
  readonly isCanceled: boolean;
  readonly usage: Usage | undefined;
  readonly costUsd: number | undefined;
  readonly sessionId: string | undefined;
  readonly outputTail: string | undefined;
  readonly apiStatus: number | undefined;
  readonly resetsAt: Date | undefined;

  constructor(options: ProviderErrorOptions) {
    super({ ...options, isRetryable: options.isRetryable ?? RETRYABLE_PROVIDER_CODES.has(options.code) });
    this.name = 'ProviderError';
    this.providerId = options.providerId;
    this.exitCode = options.exitCode;
    this.signal = options.signal;
    this.isTimedOut = options.isTimedOut ?? false;
    this.isCanceled = options.isCanceled ?? false;
    this.usage = options.usage;
    this.costUsd = options.costUsd;
    this.sessionId = options.sessionId;
    this.outputTail = options.outputTail;
    this.apiStatus = options.apiStatus;
    this.resetsAt = options.resetsAt;
  }

  static override isInstance(error: unknown): error is ProviderError {
    return OrchestratorError.isInstance(error) && error.name === 'ProviderError';
  }
}
