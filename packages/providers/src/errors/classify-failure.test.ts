import { describe, expect, it } from 'vitest';
import { classifyProviderFailure, parseRetryAfterMs } from '../index';

describe('classifyProviderFailure', () => {
  const base = { providerId: 'test-cli' };

  it.each([
    [{ isCanceled: true, isTimedOut: true }, 'ABORTED', false],
    [{ isTimedOut: true, exitCode: 1 }, 'TIMEOUT', true],
    [{ isStalled: true }, 'TIMEOUT', true],
    [{ spawnErrorCode: 'ENOENT' }, 'NOT_INSTALLED', false],
    [{ spawnErrorCode: 'ENOCWD', message: 'the working directory /x does not exist' }, 'CONFIG_INVALID', false],
    [{ apiStatus: 401, message: 'whatever' }, 'AUTH', false],
    [{ message: 'Not logged in · Please run /login', exitCode: 1 }, 'AUTH', false],
    [{ message: 'Error: 429 Too Many Requests', exitCode: 1 }, 'RATE_LIMITED', true],
    [{ message: 'RESOURCE_EXHAUSTED: quota', exitCode: 1 }, 'RATE_LIMITED', true],
    [{ apiStatus: 529 }, 'OVERLOADED', true],
    [{ message: 'Reached maximum number of turns (3)', exitCode: 1 }, 'MAX_TURNS', false],
    [{ isBudgetExceeded: true }, 'BUDGET', false],
    [{ permissionDenials: ['Write', 'Write'] }, 'PERMISSION_DENIED', false],
    [{ apiStatus: 500 }, 'API_ERROR', true],
    [{ exitCode: 139, message: 'boom' }, 'CRASHED', true],
    [{ signal: 'SIGKILL' }, 'CRASHED', true],
    [{ exitCode: 0, isBadOutput: true }, 'BAD_OUTPUT', false],
  ] as const)('%o → %s', (facts, code, isRetryable) => {
    const error = classifyProviderFailure({ ...base, ...facts });
    expect(error.code).toBe(code);
    expect(error.isRetryable).toBe(isRetryable);
    expect(error.message.startsWith('test-cli: ')).toBe(true);
  });

  it('names each denied tool once', () => {
    expect(classifyProviderFailure({ ...base, permissionDenials: ['Write', 'Write', 'Bash'] }).message).toContain('(Write, Bash)');
  });

  it('keeps the spend, the session and the flags of a failure', () => {
    const error = classifyProviderFailure({ ...base, isTimedOut: true, signal: 'SIGTERM', usage: { inputTokens: 3, outputTokens: 4 }, costUsd: 0.5, sessionId: 'abc', timeoutMs: 1000 });
    expect(error).toMatchObject({ usage: { inputTokens: 3, outputTokens: 4 }, costUsd: 0.5, sessionId: 'abc', signal: 'SIGTERM', isTimedOut: true });
    expect(error.message).toContain('1000 ms');
  });

  it('redacts secrets from the message and the output tail', () => {
    const secret = 'super-secret-token-value';
    const error = classifyProviderFailure({ ...base, exitCode: 1, message: `failed with ${secret}`, outputTail: `line\n${secret}\nsk-abcdefghijklmnopqrstuv`, secrets: [secret] });
    expect(error.message).not.toContain(secret);
    expect(error.outputTail).not.toContain(secret);
    expect(error.outputTail).not.toContain('sk-abcdefghijklmnopqrstuv');
    expect(error.outputTail).toContain('[REDACTED]');
  });

  it('takes a retry delay only for rate limits and overload', () => {
    expect(classifyProviderFailure({ ...base, apiStatus: 429, message: 'Please retry after 12 seconds' }).retryAfterMs).toBe(12_000);
    expect(classifyProviderFailure({ ...base, apiStatus: 401, message: 'retry after 12 seconds' }).retryAfterMs).toBeUndefined();
  });
});

describe('parseRetryAfterMs', () => {
  it.each([
    ['Rate limited. Please retry after 30 seconds.', 30_000],
    ['retry-after: 2', 2_000],
    ['try again in 5s', 5_000],
    ['try again in 250ms', 250],
    ['retry after 1.5 minutes', 90_000],
    ['{"retryDelay": "7s"}', 7_000],
    ['nothing to see', undefined],
  ])('%s → %s', (text, expected) => {
    expect(parseRetryAfterMs(text)).toBe(expected);
  });
});
