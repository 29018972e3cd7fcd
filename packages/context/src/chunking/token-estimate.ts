/**
 * Tokens are estimated as characters / 4 (rounded up): close to what BPE tokenizers give for
 * English prose and code, and good enough to keep context under a budget without a tokenizer.
 */
export const CHARACTERS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARACTERS_PER_TOKEN);
}
