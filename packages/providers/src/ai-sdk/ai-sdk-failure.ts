import { APICallError, LoadAPIKeyError } from '@ai-sdk/provider';
import { ProviderError, redactOutput, type Usage } from '@qoder-orch/spec';
import { classifyProviderFailure } from '../errors/classify-failure';

/** What the provider knows about the call that failed. */
export interface AiSdkCallContext {
  providerId: string;
  /** Values removed from every message. */
  secrets: readonly string[];
  /** The caller's signal was aborted. */
  isCanceled: boolean;
  /** Our own time limit passed. */
  isTimedOut: boolean;
  timeoutMs: number | undefined;
  /** How the key is given, for the AUTH fix. */
  authHint: string;
  usage?: Usage | undefined;
  costUsd?: number | undefined;
}

const NETWORK_CODES = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_SOCKET|fetch failed|socket hang up/i;

/** The marker the SDK's `RetryError` carries (what its `RetryError.isInstance` checks), so this module need not load `ai`. */
const RETRY_ERROR_MARKER = Symbol.for('vercel.ai.error.AI_RetryError');

/** The last real error inside the SDK's retry wrapper. */
function unwrap(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || (error as Record<symbol, unknown>)[RETRY_ERROR_MARKER] !== true) return error;
  return (error as { lastError?: unknown }).lastError ?? error;
}

/** A cause chain's messages and codes, for recognising network failures. */
function causeText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message);
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') parts.push(code);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' ');
}

/** The retry delay an API answer's headers ask for (`retry-after` seconds or `retry-after-ms`). */
function retryAfterOf(error: APICallError): string {
  const headers = error.responseHeaders ?? {};
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && Number.isFinite(Number(ms))) return ` retry after ${Number(ms)} ms`;
  const seconds = headers['retry-after'];
  if (seconds !== undefined && Number.isFinite(Number(seconds))) return ` retry after ${Number(seconds)} seconds`;
  return '';
}

/**
 * Turns anything an AI SDK call throws into a `ProviderError` with the stable codes the CLI
 * providers use: `ABORTED`, `TIMEOUT`, `AUTH` (401/403, a missing key), `RATE_LIMITED` (429,
 * with the server's retry delay), `OVERLOADED` (529/503), `API_ERROR` (other statuses, and a
 * server that cannot be reached), `BAD_OUTPUT` otherwise. Messages are redacted of secrets.
 */
export function aiSdkFailure(thrown: unknown, context: AiSdkCallContext): ProviderError {
  if (ProviderError.isInstance(thrown)) return thrown;
  const error = unwrap(thrown);
  const base = {
    providerId: context.providerId,
    secrets: context.secrets,
    timeoutMs: context.timeoutMs,
    authHint: context.authHint,
    ...(context.usage ? { usage: context.usage } : {}),
    ...(context.costUsd === undefined ? {} : { costUsd: context.costUsd }),
  };
  if (context.isCanceled) return classifyProviderFailure({ ...base, isCanceled: true });
  if (context.isTimedOut) return classifyProviderFailure({ ...base, isTimedOut: true });
  if (LoadAPIKeyError.isInstance(error)) return classifyProviderFailure({ ...base, apiStatus: 401, message: error.message });
  if (APICallError.isInstance(error)) {
    if (error.statusCode === undefined) return unreachable(error, context);
    const body = (error.responseBody ?? '').slice(0, 2000);
    const classified = classifyProviderFailure({ ...base, apiStatus: error.statusCode, message: `HTTP ${error.statusCode} ${error.message} ${body}${retryAfterOf(error)}` });
    return isRefusedRequest(error.statusCode) && classified.code === 'API_ERROR' ? refused(classified, context) : classified;
  }
  if (NETWORK_CODES.test(causeText(error))) return unreachable(error, context);
  return classifyProviderFailure({ ...base, isBadOutput: true, message: error instanceof Error ? error.message : String(error) });
}

/** A 4xx other than a timeout or a rate limit: the same request would be refused again. */
const isRefusedRequest = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

function refused(classified: ProviderError, context: AiSdkCallContext): ProviderError {
  return new ProviderError({
    providerId: context.providerId,
    code: 'API_ERROR',
    message: classified.message,
    fix: 'Check the model id and the settings: the API refused the request, and the same request would be refused again.',
    isRetryable: false,
    ...(classified.apiStatus === undefined ? {} : { apiStatus: classified.apiStatus }),
    ...(context.usage ? { usage: context.usage } : {}),
  });
}

function unreachable(error: unknown, context: AiSdkCallContext): ProviderError {
  return new ProviderError({
    providerId: context.providerId,
    code: 'API_ERROR',
    message: `${context.providerId}: the model API could not be reached: ${redactOutput(causeText(error), context.secrets).slice(0, 300)}`,
    fix: 'Check the base URL and that the model server is running and reachable.',
    isRetryable: true,
    ...(context.usage ? { usage: context.usage } : {}),
  });
}
