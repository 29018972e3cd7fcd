import { describe, expect, it } from 'vitest';
import { ConfigError, OrchestratorError, PlanError, ProviderError, serializeError } from '../index';

describe('errors', () => {
  it('recognises its own errors by marker, not by prototype chain', () => {
    const error = new ProviderError({ providerId: 'x', code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 2000 });
    expect(OrchestratorError.isInstance(error)).toBe(true);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(OrchestratorError.isInstance(new Error('plain'))).toBe(false);
    // A copy from another package instance carries the same global symbol.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('qoder-orch.error')]: true });
    expect(OrchestratorError.isInstance(foreign)).toBe(true);
    expect(ProviderError.isInstance(new PlanError([], 1))).toBe(false);
  });

  it('marks provider errors retryable by code unless told otherwise', () => {
    expect(new ProviderError({ providerId: 'x', code: 'OVERLOADED', message: '' }).isRetryable).toBe(true);
    expect(new ProviderError({ providerId: 'x', code: 'AUTH', message: '' }).isRetryable).toBe(false);
    expect(new ProviderError({ providerId: 'x', code: 'CRASHED', message: '', isRetryable: false }).isRetryable).toBe(false);
  });

  it('serialises to plain data with the code', () => {
    const error = new ConfigError([{ path: 'execution.max_parallel', message: 'too big', expected: 'an integer from 1 to 64' }], '.qoder-orchestrate.yaml');
    expect(error.message).toContain('.qoder-orchestrate.yaml');
    expect(error.message).toContain('execution.max_parallel');
    expect(error.message).toContain('an integer from 1 to 64');
    expect(serializeError(error)).toMatchObject({ code: 'CONFIG_INVALID', isRetryable: false });
    expect(serializeError(new Error('boom'))).toMatchObject({ code: 'UNKNOWN', message: 'boom' });
    expect(serializeError('text')).toMatchObject({ code: 'UNKNOWN', message: 'text' });
  });
});
