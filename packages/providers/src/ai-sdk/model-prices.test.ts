import { describe, expect, it } from 'vitest';
import { costOf, priceOf } from '../index';

describe('model prices', () => {
  it('finds a dated or namespaced model id by its longest known prefix', () => {
    expect(priceOf('claude-sonnet-4-5-20250929')?.inputPerMillion).toBe(3);
    expect(priceOf('claude-opus-4-5-20251101')?.inputPerMillion).toBe(5);
    expect(priceOf('claude-opus-4-1-20250805')?.inputPerMillion).toBe(15);
    expect(priceOf('gpt-4o-mini-2024-07-18')?.inputPerMillion).toBe(0.15);
    expect(priceOf('gpt-4o')?.inputPerMillion).toBe(2.5);
    expect(priceOf('openai/gpt-5-mini')?.inputPerMillion).toBe(0.25);
  });

  it('does not guess: an unknown model, or a prefix without a separator, has no price', () => {
    expect(priceOf('qwen2.5-coder:14b')).toBeUndefined();
    expect(priceOf('o3x')).toBeUndefined();
    expect(costOf({ inputTokens: 10, outputTokens: 10 }, undefined)).toBeUndefined();
  });

  it('prices cache reads at the cache price', () => {
    const price = { inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 0.3 };
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 1_000_000 }, price)).toBeCloseTo(3.3, 10);
  });
});
