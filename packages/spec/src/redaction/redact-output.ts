import { MIN_SECRET_LENGTH, REDACTED, redactorFor } from './secret-redactor';

export { REDACTED };

/**
 * Environment variable names whose values are secrets: tokens, keys, passwords, credentials
 * (`AUTHOR`, as in `GIT_AUTHOR_NAME`, is not one).
 */
const SECRET_NAME_PATTERN = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH(?!OR(_|$))|(^|_)PASS($|_)|_KEY$|(^|_)DSN$)/i;

/** Values of secret-named variables shorter than this are not treated as secrets (too common to hide). */
export const MIN_NAMED_SECRET_LENGTH = 8;

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007]*\u0007/g;

/** The password of a URL with credentials (`postgres://user:password@host`), raw and percent-decoded. */
export function urlPasswords(value: string): string[] {
  const passwords: string[] = [];
  for (const match of value.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/]*:([^\s@/]+)@/g)) {
    const password = match[1]!;
    passwords.push(password);
    try {
      const decoded = decodeURIComponent(password);
      if (decoded !== password) passwords.push(decoded);
    } catch {
      // Not percent-encoded.
    }
  }
  return passwords;
}

/**
 * Variables the orchestrator itself gives a task (its slot's ports), never secrets: passed as
 * extra environment, their values (`41000-41009`) would otherwise be blanked in every output.
 */
export const PUBLIC_ENVIRONMENT_NAMES: ReadonlySet<string> = new Set(['PORT', 'QODER_ORCH_PORT_RANGE', 'QODER_ORCH_SLOT']);

/**
 * The secret values to hide: every value of `extraEnvironment` (extra environment is never
 * logged) but those of {@link PUBLIC_ENVIRONMENT_NAMES}, values of secret-looking variables of
 * the process environment (at least {@link MIN_NAMED_SECRET_LENGTH} characters), and passwords
 * inside URLs of any variable.
 */
export function secretValuesFrom(processEnvironment: Readonly<Record<string, string | undefined>>, extraEnvironment: Readonly<Record<string, string>> = {}): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(processEnvironment)) {
    if (!value) continue;
    if (value.length >= MIN_NAMED_SECRET_LENGTH && SECRET_NAME_PATTERN.test(name)) values.add(value);
    for (const password of urlPasswords(value)) if (password.length >= MIN_SECRET_LENGTH) values.add(password);
  }
  for (const [name, value] of Object.entries(extraEnvironment)) {
    if (PUBLIC_ENVIRONMENT_NAMES.has(name)) for (const password of urlPasswords(value)) values.add(password);
    else if (value.length >= MIN_SECRET_LENGTH) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** Removes ANSI escapes, known secret shapes and the given secret values (in every encoding) from output. */
export function redactOutput(text: string, secretValues: readonly string[] = []): string {
  return redactorFor(secretValues).text(text.replace(ANSI_PATTERN, ''));
}

/**
 * A JSON value with every string (and key) redacted like {@link redactOutput}, walked before it
 * is serialised (structured answers of agents and judges, which are stored and shown as they are).
 */
export function redactJson<T>(value: T, secretValues: readonly string[] = []): T {
  return redactorFor(secretValues).value(value);
}

/** The last `maxChars` characters, starting at a line boundary when one is near. */
export function tailOf(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(text.length - maxChars);
  const newline = cut.indexOf('\n');
  const body = newline >= 0 && newline < 200 ? cut.slice(newline + 1) : cut;
  return `…(${text.length - body.length} characters omitted)\n${body}`;
}
