/**
 * The forms a secret value can take in text we write: raw (and its Unicode normal forms),
 * JSON-escaped (once, twice, ASCII-only), JSON-unescaped (a value that looks like an escape
 * sequence), URL-encoded, HTML-escaped, base64 (standard and URL-safe, at any byte alignment
 * inside a longer blob) and hex. Longest first, so a longer form is replaced before a shorter
 * one it contains.
 */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>();
  for (const variant of new Set([value, value.normalize('NFC'), value.normalize('NFD')])) {
    forms.add(variant);
    const json = JSON.stringify(variant).slice(1, -1);
    forms.add(json);
    forms.add(JSON.stringify(json).slice(1, -1));
    const ascii = json.replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
    forms.add(ascii);
    forms.add(ascii.replace(/\\u([0-9a-f]{4})/g, (_match, hex: string) => `\\u${hex.toUpperCase()}`));
    const unescaped = jsonUnescaped(variant);
    if (unescaped !== undefined) forms.add(unescaped);
    for (const url of urlForms(variant)) forms.add(url);
    for (const html of htmlForms(variant)) forms.add(html);
    const bytes = Buffer.from(variant, 'utf8');
    for (const core of base64Cores(bytes)) forms.add(core);
    forms.add(bytes.toString('hex'));
    forms.add(bytes.toString('hex').toUpperCase());
  }
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/** The value read as the body of a JSON string (`a\"b` → `a"b`), when that differs. */
function jsonUnescaped(value: string): string | undefined {
  if (!value.includes('\\')) return undefined;
  try {
    const parsed = JSON.parse(`"${value}"`) as unknown;
    return typeof parsed === 'string' && parsed !== value ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function urlForms(value: string): string[] {
  const forms: string[] = [];
  try {
    const component = encodeURIComponent(value);
    forms.push(
      component,
      component.replace(/%20/g, '+'),
      component.replace(/%[0-9A-F]{2}/g, (sequence) => sequence.toLowerCase()),
      encodeURI(value),
    );
  } catch {
    // A lone surrogate has no URL encoding.
  }
  return forms;
}

function htmlForms(value: string): string[] {
  const escapeWith = (quote: string, apostrophe: string) => value.replace(/[&<>"']/g, (character) => (character === '&' ? '&amp;' : character === '<' ? '&lt;' : character === '>' ? '&gt;' : character === '"' ? quote : apostrophe));
  return [escapeWith('&quot;', '&#39;'), escapeWith('&#34;', '&#x27;'), escapeWith('&quot;', '&apos;')];
}

/**
 * The base64 characters that depend only on the value's bytes, for each of the three byte
 * offsets the value can start at inside a longer encoded blob (standard and URL-safe alphabets).
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}
