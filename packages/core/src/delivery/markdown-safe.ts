/**
 * Untrusted text (the objective, the model's plan and verdict, the agents' messages, command
 * output) made inert in Markdown: inside a code span or a fenced block nothing is rendered (no
 * links, images, HTML, headings) and GitHub links no @mention; the fence is longer than any
 * backtick run in the text, so the text cannot close it. Control characters go, `@` gets a
 * zero-width space after it all the same (a renderer that misreads the fence still pings no one),
 * and the text is capped.
 */

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** Without control and bidirectional-override characters, `@` defused, at most `limit` characters. */
export function neutralText(text: string, limit: number): string {
  let clean = text.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(/@/g, '@\u200b');
  if (clean.length > limit) clean = `${clean.slice(0, Math.max(0, limit - 1))}…`;
  return clean;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** One line of untrusted text as a code span (newlines become spaces). */
export function inlineCode(text: string, limit = 200): string {
  const clean = neutralText(text, limit).replace(/\n+/g, ' ').trim();
  if (clean === '') return '` `';
  const fence = '`'.repeat(longestBacktickRun(clean) + 1);
  // Spaces inside the fence keep a leading or trailing backtick from joining it.
  return `${fence} ${clean} ${fence}`;
}

/** Untrusted text as a fenced block (`text` info string: no highlighting guesses). */
export function fencedBlock(text: string, limit = 2000): string {
  const clean = neutralText(text, limit).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(clean) + 1));
  return `${fence}text\n${clean}\n${fence}`;
}
