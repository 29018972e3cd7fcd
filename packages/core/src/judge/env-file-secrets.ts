import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_SECRET_LENGTH } from '../secrets/secret-redactor';
import { secretValuesFrom, urlPasswords } from './redact-output';

/**
 * The dotenv files of a project whose secret values are kept out of logs, events and errors:
 * `.env`, `.env.local` and `.env.<mode>[.local]` at the project root. Templates
 * (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`) hold placeholders, not secrets.
 */
export const SECRET_ENV_FILES = ['.env', '.env.local'] as const;
const ENV_FILE = /^\.env(\.[A-Za-z0-9_-]+)*$/;
const TEMPLATE_ENV_FILE = /\.(example|sample|template|dist|defaults)$/i;

function envFileNames(projectDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(projectDir);
  } catch {
    return [];
  }
  return names.filter((name) => ENV_FILE.test(name) && !TEMPLATE_ENV_FILE.test(name)).sort();
}

interface EnvFileEntry {
  name: string;
  /** The value as a dotenv loader gives it (escapes of a double-quoted value applied). */
  value: string;
  /** The value as written between its quotes, when that differs. */
  written?: string;
}

function envFileEntries(projectDir: string): EnvFileEntry[] {
  const entries: EnvFileEntry[] = [];
  for (const file of envFileNames(projectDir)) {
    let text: string;
    try {
      text = readFileSync(join(projectDir, file), 'utf8');
    } catch {
      continue;
    }
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
  }
  return entries;
}

/**
 * `KEY=VALUE` pairs of the project's dotenv files (blank lines, `#` comments, `export ` and
 * matching quotes handled; a later file wins); empty when there is none.
 */
export function projectEnvFileValues(projectDir: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of envFileEntries(projectDir)) values[entry.name] = entry.value;
  return values;
}

/**
 * The secrets of the project's dotenv files, which an agent may read and echo: values of
 * secret-named variables (as loaded and as written) and passwords inside URLs of any variable.
 */
export function projectEnvSecretValues(projectDir: string): string[] {
  const values = new Set<string>();
  for (const entry of envFileEntries(projectDir)) {
    const forms = entry.written === undefined ? [entry.value] : [entry.value, entry.written];
    for (const form of forms) {
      for (const secret of secretValuesFrom({ [entry.name]: form })) values.add(secret);
      for (const password of urlPasswords(form)) if (password.length >= MIN_SECRET_LENGTH) values.add(password);
    }
  }
  return [...values];
}
