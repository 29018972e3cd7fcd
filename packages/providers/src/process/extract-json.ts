/**
 * The JSON value in a model's text answer: the whole text, else the last fenced ```json block,
 * else the outermost `{…}` or `[…]`. `undefined` when none parses.
 */
export function extractJson(text: string): unknown {
  const candidates = [text.trim()];
  const fences = [...text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
  candidates.push(...fences.reverse());
  for (const [open, close] of [['{', '}'], ['[', ']']] as const) {
    const start = text.indexOf(open);
    const end = text.lastIndexOf(close);
    if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));
  }
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // Try the next candidate.
    }
  }
  return undefined;
}
