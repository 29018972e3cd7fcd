const REPLACEMENTS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML and SVG content and for quoted attribute values. */
export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  // Control characters other than tab/newline are not allowed in XML (SVG) text.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>"']/g, (character) => REPLACEMENTS[character]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}
