import { type ErrorCode, ProviderError, type Usage, redactOutput } from '@qoder-orch/spec';
import { parseRetryAfterMs } from './retry-after';
import { type UsageLimitNotice, parseUsageLimit } from './usage-limit';

/** What is known about a failed agent call. Everything is optional; more facts, better codes. */
export interface ProviderFailure {
  providerId: string;
  /** What the CLI said about the failure: its result text, error lines, stderr. Redacted before use. */
  message?: string | undefined;
  /** The HTTP status the model API answered, when the CLI reports it. */
  apiStatus?: number | undefined;
  exitCode?: number | undefined;
  signal?: string | undefined;
  /** Our outer timeout ended the process. */
  isTimedOut?: boolean | undefined;
  /** Our stall watchdog ended the process (no output for too long). */
  isStalled?: boolean | undefined;
  /** The caller's AbortSignal ended the process. */
  isCanceled?: boolean | undefined;
  /** The process could not be started (`ENOENT`, `EACCES` …). */
  spawnErrorCode?: string | undefined;
  /** The CLI said it stopped at its turn limit. */
  isMaxTurns?: boolean | undefined;
  /** The CLI said it stopped at its spend limit. */
  isBudgetExceeded?: boolean | undefined;
  /** The CLI denied tool uses the task needed. */
  permissionDenials?: readonly string[] | undefined;
  /** The CLI said, in a structured event, that a subscription usage limit was hit (Claude's `rate_limit_event` with status `rejected`). */
  usageLimit?: UsageLimitNotice | undefined;
  /** The output could not be understood. */
  isBadOutput?: boolean | undefined;
  usage?: Usage | undefined;
  costUsd?: number | undefined;
  sessionId?: string | undefined;
  /** The last lines of output (redacted here before they are kept). */
  outputTail?: string | undefined;
  /** Secret values to remove from every text. */
  secrets?: readonly string[] | undefined;
  /** The timeout that passed, for the message. */
  timeoutMs?: number | undefined;
  /** How to install the CLI, for NOT_INSTALLED. */
  installHint?: string | undefined;
  /** How to log in, for AUTH. */
  authHint?: string | undefined;
}

const AUTH_TEXT = /\b(401|403)\b|invalid (x-)?api[ _-]?key|authentication[_ ]error|unauthori[sz]ed|not logged in|please run \/login|\/login\b|invalid (bearer )?token|permission_error|credentials? (are )?(missing|invalid|expired)/i;
const RATE_TEXT = /\b429\b|rate[ _-]?limit|too many requests|resource[_ ]exhausted|quota/i;
const OVERLOADED_TEXT = /\b529\b|overloaded|\b503\b|unavailable/i;
const MAX_TURNS_TEXT = /max(imum)?[ _-]?(number of )?turns/i;
const BUDGET_TEXT = /max[ _-]?budget|budget (exceeded|reached)|spend limit/i;
const API_TEXT = /api error|\b5\d\d\b|internal server error|api_error/i;

function codeFor(failure: ProviderFailure, text: string): ErrorCode {
  if (failure.isCanceled) return 'ABORTED';
  if (failure.isTimedOut || failure.isStalled) return 'TIMEOUT';
  if (failure.spawnErrorCode === 'ENOCWD') return 'CONFIG_INVALID';
  if (failure.spawnErrorCode === 'ENOENT' || failure.spawnErrorCode === 'EACCES') return 'NOT_INSTALLED';
  if (failure.spawnErrorCode) return 'CRASHED';
  const status = failure.apiStatus;
  if (status === 401 || status === 403) return 'AUTH';
  if (failure.usageLimit || parseUsageLimit(text)) return 'USAGE_LIMIT';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 529 || status === 503) return 'OVERLOADED';
  if (status !== undefined && status >= 500) return 'API_ERROR';
  if (failure.isMaxTurns) return 'MAX_TURNS';
  if (failure.isBudgetExceeded) return 'BUDGET';
  if (failure.permissionDenials && failure.permissionDenials.length > 0) return 'PERMISSION_DENIED';
  if (AUTH_TEXT.test(text)) return 'AUTH';
  if (RATE_TEXT.test(text)) return 'RATE_LIMITED';
  if (OVERLOADED_TEXT.test(text)) return 'OVERLOADED';
  if (MAX_TURNS_TEXT.test(text)) return 'MAX_TURNS';
  if (BUDGET_TEXT.test(text)) return 'BUDGET';
  if (API_TEXT.test(text)) return 'API_ERROR';
  if (status !== undefined && status >= 400) return 'API_ERROR';
  if (failure.isBadOutput) return 'BAD_OUTPUT';
  if (failure.signal || (failure.exitCode !== undefined && failure.exitCode !== 0)) return 'CRASHED';
  return 'BAD_OUTPUT';
}

function summaryFor(code: ErrorCode, failure: ProviderFailure): string {
  switch (code) {
    case 'ABORTED':
      return 'canceled';
    case 'TIMEOUT':
      return failure.isStalled ? `no output for ${failure.timeoutMs ?? '?'} ms; the process tree was killed` : `timed out after ${failure.timeoutMs ?? '?'} ms; the process tree was killed`;
    case 'NOT_INSTALLED':
      return 'the CLI is not installed or not executable';
    case 'CONFIG_INVALID':
      return 'could not start';
    case 'AUTH':
      return 'not authenticated';
    case 'RATE_LIMITED':
      return 'rate limited';
    case 'USAGE_LIMIT':
      return 'usage limit reached';
    case 'OVERLOADED':
      return 'the model API is overloaded';
    case 'MAX_TURNS':
      return 'stopped at the maximum number of turns';
    case 'BUDGET':
      return 'stopped at the spend limit';
    case 'PERMISSION_DENIED':
      return `tool use denied (${[...new Set(failure.permissionDenials ?? [])].join(', ')})`;
    case 'API_ERROR':
      return `the model API failed${failure.apiStatus === undefined ? '' : ` (HTTP ${failure.apiStatus})`}`;
    case 'CRASHED':
      return failure.spawnErrorCode ? `could not start (${failure.spawnErrorCode})` : `exited with ${failure.signal ? `signal ${failure.signal}` : `code ${failure.exitCode}`}`;
    default:
      return 'produced no usable result';
  }
}

function fixFor(code: ErrorCode, failure: ProviderFailure, detail: string): string | undefined {
  if (/root\/sudo/.test(detail)) return 'Claude Code refuses bypassPermissions as root: use permissionMode acceptEdits, or set IS_SANDBOX=1 in `env` inside a real sandbox.';
  switch (code) {
    case 'CONFIG_INVALID':
      return 'Run the task in an existing directory (the repository or its worktree).';
    case 'NOT_INSTALLED':
      return failure.installHint ?? 'Install the agent CLI, or set `executable` in the provider settings to its path.';
    case 'AUTH':
      return failure.authHint ?? 'Log the agent CLI in, or give it an API key through the environment.';
    case 'RATE_LIMITED':
      return 'Wait and retry, or lower `maxParallel`.';
    case 'USAGE_LIMIT':
      return 'Wait for the limit to reset (the run pauses and continues by itself with `onUsageLimit: wait`), or use another provider or plan.';
    case 'OVERLOADED':
      return 'Retry later; the model API is busy.';
    case 'TIMEOUT':
      return 'Raise the task timeout, or split the task into smaller ones.';
    case 'MAX_TURNS':
      return 'Raise `maxTurns` for this subagent, or split the task.';
    case 'BUDGET':
      return 'Raise the budget, or split the task.';
    case 'PERMISSION_DENIED':
      return "Allow the tool in the subagent's `tools`, or use permissionMode `acceptEdits`.";
    case 'API_ERROR':
      return 'Retry later; if it persists, check the model API (base URL, status page).';
    case 'CRASHED':
      return 'Run the agent CLI by hand with the same arguments to see why it fails.';
    case 'BAD_OUTPUT':
      return 'Check that the installed CLI version is supported (see the providers README).';
    default:
      return undefined;
  }
}

/**
 * Turns what is known about a failed agent call into a `ProviderError` with a stable code
 * (`AUTH`, `USAGE_LIMIT` (with `resetsAt` when known), `RATE_LIMITED`, `OVERLOADED`, `TIMEOUT`, `MAX_TURNS`, `BUDGET`, `PERMISSION_DENIED`,
 * `NOT_INSTALLED`, `API_ERROR`, `CRASHED`, `BAD_OUTPUT`, `ABORTED`; `CONFIG_INVALID` for a missing
 * working directory), `isRetryable`, a retry delay
 * when the output names one, and the spend so far. Every text is redacted of `secrets`.
 */
export function classifyProviderFailure(failure: ProviderFailure): ProviderError {
  const secrets = failure.secrets ?? [];
  const detail = redactOutput(failure.message ?? '', secrets).trim();
  const code = codeFor(failure, detail);
  const summary = summaryFor(code, failure);
  const shortDetail = detail.length > 600 ? `${detail.slice(0, 600)}…` : detail;
  const retryAfterMs = code === 'RATE_LIMITED' || code === 'OVERLOADED' ? parseRetryAfterMs(detail) : undefined;
  const resetsAt = code === 'USAGE_LIMIT' ? (failure.usageLimit?.resetsAt ?? parseUsageLimit(detail)?.resetsAt) : undefined;
  const fix = fixFor(code, failure, detail);
  return new ProviderError({
    providerId: failure.providerId,
    code,
    message: `${failure.providerId}: ${summary}${shortDetail && !summary.includes(shortDetail) ? `: ${shortDetail}` : ''}`,
    ...(fix === undefined ? {} : { fix }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(failure.exitCode === undefined ? {} : { exitCode: failure.exitCode }),
    ...(failure.signal === undefined ? {} : { signal: failure.signal }),
    isTimedOut: failure.isTimedOut === true || failure.isStalled === true,
    isCanceled: failure.isCanceled === true,
    ...(failure.usage === undefined ? {} : { usage: failure.usage }),
    ...(failure.costUsd === undefined ? {} : { costUsd: failure.costUsd }),
    ...(failure.sessionId === undefined ? {} : { sessionId: failure.sessionId }),
    ...(failure.outputTail === undefined ? {} : { outputTail: redactOutput(failure.outputTail, secrets) }),
    ...(failure.apiStatus === undefined ? {} : { apiStatus: failure.apiStatus }),
    ...(resetsAt === undefined ? {} : { resetsAt }),
  });
}
