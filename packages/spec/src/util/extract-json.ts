/**
 * Candidate JSON texts in a model's answer, most likely first: fenced ```json blocks (last
 * first), then every balanced top-level `{…}` or `[…]` found by scanning (strings and escapes
 * respected), longest first. Models wrap JSON in prose and fences; this finds it anyway.
 */
export function jsonCandidates(text: string): string[] {
  const candidates: string[] = [];
  const fenced = [...text.matchAll(/```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
  candidates.push(...fenced.reverse());
  const balanced: string[] = [];
  for (let start = 0; start < text.length; start += 1) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const end = matchingClose(text, start);
    if (end < 0) {
      // A JSON value that is never closed (a cut-off answer): what follows is inside it, and a
      // fragment of it (a nested list of strings) is not the answer.
      if (opensJsonValue(text, start)) break;
      continue;
    }
    balanced.push(text.slice(start, end + 1));
    start = end;
  }
  candidates.push(...balanced.sort((a, b) => b.length - a.length));
  const trimmed = text.trim();
  if (trimmed && !candidates.includes(trimmed)) candidates.push(trimmed);
  return [...new Set(candidates)];
}

/** Whether the bracket at `start` begins JSON (`{"`, `[{`, `[[`, `["`, `{}`), not a bracket in prose. */
function opensJsonValue(text: string, start: number): boolean {
  return /^[{[]\s*["{[\]}]/.test(text.slice(start, start + 64));
}

/** Whether the answer holds a JSON value that starts but is never closed. */
export function isCutOff(text: string): boolean {
  for (let start = 0; start < text.length; start += 1) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const end = matchingClose(text, start);
    if (end >= 0) {
      start = end;
      continue;
    }
    if (opensJsonValue(text, start)) return true;
  }
  return false;
}

function matchingClose(text: string, start: number): number {
  const stack: string[] = [];
  let isInString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index]!;
    if (isInString) {
      if (character === '\\') index += 1;
      else if (character === '"') isInString = false;
      continue;
    }
    if (character === '"') isInString = true;
    else if (character === '{' || character === '[') stack.push(character === '{' ? '}' : ']');
    else if (character === '}' || character === ']') {
      if (stack.pop() !== character) return -1;
      if (stack.length === 0) return index;
    }
  }
  return -1;
}

/** What {@link extractJson} found: the value, or why there is none (then `value` is undefined). */
export type ExtractedJson = { value: unknown } | { value?: undefined; problem: 'no-json' | 'invalid-json'; message: string };

/**
 * The first candidate of {@link jsonCandidates} that parses, or why none did. Callers that only
 * want the value read `extractJson(text).value`.
 */
export function extractJson(text: string): ExtractedJson {
  const candidates = jsonCandidates(text);
  if (candidates.length === 0)
    return isCutOff(text) ? { problem: 'invalid-json', message: 'the JSON in the answer does not parse: it ends before it is closed (a cut-off answer?)' } : { problem: 'no-json', message: 'the answer holds no JSON object' };
  let lastError = '';
  for (const candidate of candidates) {
    try {
      return { value: JSON.parse(candidate) };
    } catch (error) {
      lastError = (error as Error).message;
    }
  }
  if (isCutOff(text)) return { problem: 'invalid-json', message: `the JSON in the answer does not parse: it ends before it is closed (a cut-off answer?)${lastError ? `: ${lastError}` : ''}` };
  const hasBrace = /[{[]/.test(text);
  return hasBrace ? { problem: 'invalid-json', message: `the JSON in the answer does not parse: ${lastError}` } : { problem: 'no-json', message: 'the answer holds no JSON object' };
}
