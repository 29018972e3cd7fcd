import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type EnvFileEntry, readEnvFileEntries } from '../env/env-file';
import { MIN_SECRET_LENGTH } from './secret-redactor';
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

function envFileEntries(projectDir: string): EnvFileEntry[] {
  return envFileNames(projectDir).flatMap((file) => readEnvFileEntries(join(projectDir, file)));
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
