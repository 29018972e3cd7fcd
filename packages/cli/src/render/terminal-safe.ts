/**
 * Characters that would act on a terminal instead of being shown: C0 controls other than tab
 * and newline (ESC starts colour, cursor, title and clipboard sequences; CR rewinds the line so
 * text can be printed over), DEL, the C1 controls, and the bidirectional overrides that reorder
 * what is displayed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** `text` with every terminal control shown as a visible escape (`\x1b`, `\u202e`) instead of acting. */
export function terminalSafeText(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (character) => {
    const code = character.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A copy of `value` (event payloads, summaries: plain data) with every string made terminal
 * safe. Plans, agent output, judge reasoning and file names come from models and agents: printed
 * raw, an escape sequence in a task title could rewrite the screen, set the clipboard or hide a
 * line. The renderer adds its own colours after this.
 */
export function terminalSafe<Value>(value: Value): Value {
  if (typeof value === 'string') return terminalSafeText(value) as Value;
  if (Array.isArray(value)) return value.map((item) => terminalSafe(item)) as Value;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = terminalSafe(item);
    return copy as Value;
  }
  return value;
}
