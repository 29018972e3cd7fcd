import { ProviderError } from '@qoder-orch/spec';

/** The `ProviderError` a call rejects with; throws when it succeeds or rejects with anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
