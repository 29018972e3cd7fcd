/**
 * Whether an argument vector matches a user's allow pattern. A pattern is written as the
 * command line it allows, split on spaces: each word matches one argument, `*` inside a word
 * matches any characters, and a last word `**` matches any remaining arguments.
 * `"make lint"`, `"./scripts/check.sh **"`, `"npx --no-install playwright test **"`.
 */
export function matchesAllowPattern(argv: readonly string[], pattern: string): boolean {
  const words = pattern
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 0) return false;
  const hasRest = words[words.length - 1] === '**';
  const fixed = hasRest ? words.slice(0, -1) : words;
  if (hasRest ? argv.length < fixed.length : argv.length !== fixed.length) return false;
  return fixed.every((word, index) => wordPattern(word).test(argv[index]!));
}

function wordPattern(word: string): RegExp {
  const escaped = word
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 's');
}
