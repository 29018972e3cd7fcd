import { readFileSync } from 'node:fs';

/** One `KEY=VALUE` line of a dotenv file. */
export interface EnvFileEntry {
  name: string;
  /** The value as a dotenv loader gives it (escapes of a double-quoted value applied). */
  value: string;
  /** The value as written between its quotes, when that differs. */
  written?: string;
}

/**
 * The `KEY=VALUE` lines of a dotenv text: blank lines and `#` comments are skipped, an `export `
 * prefix is allowed, matching quotes (`"`, `'`, backticks) around a value are removed, `\n`-style
 * escapes in double quotes are applied, and a ` # comment` after an unquoted value is dropped.
 */
export function parseEnvText(text: string): EnvFileEntry[] {
  const entries: EnvFileEntry[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(rawLine.trim());
    if (!match) continue;
    let value = match[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
      if (quote === '"') {
        const decoded = value.replace(/\\([nrt"\\])/g, (_escape, character: string) => ({ n: '\n', r: '\r', t: '\t' })[character as 'n'] ?? character);
        if (decoded !== value) {
          entries.push({ name: match[1]!, value: decoded, written: value });
          continue;
        }
      }
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    entries.push({ name: match[1]!, value });
  }
  return entries;
}

/** The entries of one dotenv file; empty when it cannot be read. */
export function readEnvFileEntries(path: string): EnvFileEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return parseEnvText(text);
}

/**
 * Reads `KEY=VALUE` pairs from a dotenv-style file (`.env.local`), a later line winning; an
 * empty object when the file does not exist.
 */
export function readEnvFile(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of readEnvFileEntries(path)) values[entry.name] = entry.value;
  return values;
}
