import { APICallError } from '@ai-sdk/provider';
import { RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { aiSdkFailure } from './ai-sdk-failure';

const context = { providerId: 'ai-sdk:anthropic/m', secrets: ['sk-secret-1234567890'], isCanceled: false, isTimedOut: false, timeoutMs: undefined, authHint: 'Set ANTHROPIC_API_KEY.' };

const rateLimited = () =>
  new APICallError({ message: 'Too Many Requests', url: 'http://127.0.0.1/v1/messages', requestBodyValues: {}, statusCode: 429, responseHeaders: { 'retry-after': '7' }, responseBody: 'slow down', isRetryable: true });

describe('aiSdkFailure', () => {
  it("classifies the last error inside the SDK's RetryError (recognised without loading the SDK)", () => {
    const thrown = new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [new Error('first'), rateLimited()] });
    const failure = aiSdkFailure(thrown, context);
    expect(failure.code).toBe('RATE_LIMITED');
    expect(failure.apiStatus).toBe(429);
  });

  it('reads an error that only looks like a retry wrapper as itself', () => {
    const lookalike = Object.assign(new Error('plain failure'), { lastError: rateLimited() });
    expect(aiSdkFailure(lookalike, context).code).toBe('BAD_OUTPUT');
  });
});
