/**
 * A command the user writes in the configuration: a command line (`"npm ci --offline"`) or an
 * argument vector (`[npm, ci, --offline]`). Either way it runs as an argument vector, never
 * through a shell.
 */
export type CommandLine = string | readonly string[];

/** Characters a shell would treat as operators: a line holding one unquoted is refused, not run half-way. */
const SHELL_OPERATOR = /[|&;<>()$`]/;

/**
 * Splits a command line into its argument vector the way a user expects from a shell, without
 * one: words split on spaces, `'…'` and `"…"` keep spaces, `\` escapes the next character
 * (outside single quotes). Shell features (pipes, `&&`, redirections, `$VAR`, `$(…)`) are not
 * emulated: an unquoted operator character is an error naming it, so `npm ci && npm run build`
 * is refused rather than run as `npm ci` with three odd arguments.
 *
 * @returns the argument vector, or `{ error }` with a sentence saying what is wrong.
 */
export function splitCommandLine(line: string): string[] | { error: string } {
  const words: string[] = [];
  let word = '';
  let hasWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index]!;
    if (quote === "'") {
      if (character === "'") quote = undefined;
      else word += character;
      continue;
    }
    if (character === '\\' && index + 1 < line.length) {
      word += line[++index];
      hasWord = true;
      continue;
    }
    if (quote === '"') {
      if (character === '"') quote = undefined;
      else word += character;
      continue;
    }
    if (character === '"' || character === "'") {
      quote = character;
      hasWord = true;
    } else if (/\s/.test(character)) {
      if (hasWord) words.push(word);
      word = '';
      hasWord = false;
    } else if (SHELL_OPERATOR.test(character)) {
      return { error: `"${character}" is shell syntax; commands run without a shell (write one command per entry, or put the steps in a script and run it)` };
    } else {
      word += character;
      hasWord = true;
    }
  }
  if (quote !== undefined) return { error: `a ${quote} quote is not closed` };
  if (hasWord) words.push(word);
  if (words.length === 0) return { error: 'the command is empty' };
  return words;
}

/** A configured command as its argument vector (see {@link splitCommandLine}); throws a `RangeError` for a line it refuses. */
export function commandArgv(command: CommandLine): string[] {
  if (typeof command !== 'string') return [...command];
  const argv = splitCommandLine(command);
  if ('error' in argv) throw new RangeError(`Command ${JSON.stringify(command)}: ${argv.error}.`);
  return argv;
}
