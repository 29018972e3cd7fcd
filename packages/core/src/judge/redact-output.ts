/** Environment variable names whose values are secrets. */
const SECRET_NAME_PATTERN = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;

/** Well-known secret shapes, redacted wherever they appear. */
const SECRET_VALUE_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/g,
];

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007]*\u0007/g;

export const REDACTED = '[REDACTED]';

/**
 * The secret values to hide: every value of `extraEnvironment` (extra environment is never
 * logged) and values of secret-looking variables of the process environment.
 */
export function secretValuesFrom(
  processEnvironment: Readonly<Record<string, string | undefined>>,
  extraEnvironment: Readonly<Record<string, string>> = {},
): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(processEnvironment)) {
    if (value && value.length >= 8 && SECRET_NAME_PATTERN.test(name)) values.add(value);
  }
  for (const value of Object.values(extraEnvironment)) if (value.length >= 6) values.add(value);
  return [...values].sort((a, b) => b.length - a.length);
}

/** Removes ANSI escapes, known secret shapes and the given secret values from output. */
export function redactOutput(text: string, secretValues: readonly string[] = []): string {
  let result = text.replace(ANSI_PATTERN, '');
  for (const value of secretValues) if (value) result = result.split(value).join(REDACTED);
  for (const pattern of SECRET_VALUE_PATTERNS) result = result.replace(pattern, REDACTED);
  return result;
}

/**
 * A JSON value with every string redacted like {@link redactOutput} (structured answers of
 * agents and judges, which are stored and shown as they are).
 */
export function redactJson<T>(value: T, secretValues: readonly string[] = []): T {
  if (value === undefined) return value;
  try {
    return JSON.parse(redactOutput(JSON.stringify(value), secretValues)) as T;
  } catch {
    return value;
  }
}

/** The last `maxChars` characters, starting at a line boundary when one is near. */
export function tailOf(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(text.length - maxChars);
  const newline = cut.indexOf('\n');
  const body = newline >= 0 && newline < 200 ? cut.slice(newline + 1) : cut;
  return `…(${text.length - body.length} characters omitted)\n${body}`;
}
