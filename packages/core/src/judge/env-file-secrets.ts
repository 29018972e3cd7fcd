import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The dotenv files of a project whose secret-looking values are kept out of logs, events and errors. */
export const SECRET_ENV_FILES = ['.env.local'] as const;

/**
 * `KEY=VALUE` pairs of the project's `.env.local` (blank lines, `#` comments, `export ` and
 * matching quotes handled); empty when there is none. Feed it to `secretValuesFrom` so values
 * an agent may read from that file are redacted like the process's own secrets.
 */
export function projectEnvFileValues(projectDir: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of SECRET_ENV_FILES) {
    let text: string;
    try {
      text = readFileSync(join(projectDir, name), 'utf8');
    } catch {
      continue;
    }
    for (const rawLine of text.split(/\r?\n/)) {
      const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(rawLine.trim());
      if (!match) continue;
      let value = match[2]!.trim();
      const quote = value[0];
      if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1);
      else value = value.replace(/\s+#.*$/, '');
      values[match[1]!] = value;
    }
  }
  return values;
}
