import { encodedForms } from './secret-encodings';

export const REDACTED = '[REDACTED]';

/**
 * Values shorter than this are never redacted: replacing a 3-letter "secret" everywhere would
 * destroy ordinary text and hide nothing worth hiding. Values collected by their variable's
 * name need 8 characters (see `secretValuesFrom`).
 */
export const MIN_SECRET_LENGTH = 6;

/** Well-known secret shapes, redacted wherever they appear, whoever's they are. */
const SECRET_VALUE_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/g,
];

/**
 * Hides secret values in anything before it is written, printed or committed. It works on
 * values, not on their encodings: `value()` walks a structure and redacts every string (keys
 * too) before it is serialised, and `text()` also replaces each secret's encoded forms (JSON,
 * URL, HTML, base64, hex: see `encodedForms`), so text that embeds an encoded secret, or a
 * serialised document used as a last guard, is clean too.
 */
export interface SecretRedactor {
  /** The secret values (raw), longest first. */
  readonly values: readonly string[];
  /** The text with every form of every secret, and every well-known secret shape, replaced by `[REDACTED]`. */
  text(text: string): string;
  /** A copy of a JSON-like value with every string and key redacted like `text`. Other values are kept as they are. */
  value<T>(value: T): T;
  /** Whether the text holds any form of a secret value (shapes aside). */
  isLeaking(text: string): boolean;
}

/** A redactor for these secret values (shorter than {@link MIN_SECRET_LENGTH}: ignored). */
export function createSecretRedactor(values: Iterable<string>): SecretRedactor {
  const secrets = [...new Set([...values].filter((value) => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  const forms = [...new Set(secrets.flatMap(encodedForms))].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  const text = (input: string): string => {
    let result = input;
    for (const form of forms) if (result.includes(form)) result = result.split(form).join(REDACTED);
    for (const pattern of SECRET_VALUE_PATTERNS) result = result.replace(pattern, REDACTED);
    return result;
  };
  // Copies this redactor made: handed to it again (an event the recorder redacted, then the
  // run store), they are returned as they are instead of being walked twice.
  const produced = new WeakSet<object>();
  const walk = (input: unknown, seen: WeakMap<object, unknown>): unknown => {
    if (typeof input === 'string') return text(input);
    if (typeof input !== 'object' || input === null) return input;
    if (produced.has(input)) return input;
    if (seen.has(input)) return seen.get(input);
    if (Array.isArray(input)) {
      const copy: unknown[] = [];
      seen.set(input, copy);
      for (const item of input) copy.push(walk(item, seen));
      produced.add(copy);
      return copy;
    }
    const prototype = Object.getPrototypeOf(input) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return input;
    const copy: Record<string, unknown> = {};
    seen.set(input, copy);
    for (const [key, item] of Object.entries(input)) copy[text(key)] = walk(item, seen);
    produced.add(copy);
    return copy;
  };
  return {
    values: secrets,
    text,
    value: <T>(input: T): T => walk(input, new WeakMap()) as T,
    isLeaking: (input) => forms.some((form) => input.includes(form)),
  };
}

const cache = new Map<string, SecretRedactor>();

/** The redactor of these values, reused across calls with the same values (a small cache). */
export function redactorFor(values: readonly string[]): SecretRedactor {
  const key = values.join('\u0000');
  let redactor = cache.get(key);
  if (!redactor) {
    redactor = createSecretRedactor(values);
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    cache.set(key, redactor);
  }
  return redactor;
}
