/** A fence the text cannot close: longer than any run of backticks inside it. */
export function fenceFor(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  return '`'.repeat(longest + 1);
}

/** `label` then `text` in a fence it cannot break out of: how untrusted text enters a prompt. */
export function fencedBlock(label: string, text: string): string {
  const marks = fenceFor(text);
  return `${label}\n${marks}text\n${text}\n${marks}`;
}
