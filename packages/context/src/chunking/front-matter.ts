import { parse } from 'yaml';

export interface FrontMatterSplit {
  /** The parsed YAML, or undefined when there is none (or it is not a mapping). */
  data: Record<string, unknown> | undefined;
  body: string;
  /** The YAML failed to parse. */
  error?: string;
}

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Splits `---\nyaml\n---\nbody`. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const match = FRONT_MATTER.exec(content);
  if (!match) return { data: undefined, body: content };
  const body = content.slice(match[0].length);
  try {
    const data: unknown = parse(match[1] ?? '');
    if (data === null || data === undefined) return { data: {}, body };
    if (typeof data !== 'object' || Array.isArray(data)) return { data: undefined, body, error: 'front matter is not a mapping' };
    return { data: data as Record<string, unknown>, body };
  } catch (error) {
    return { data: undefined, body, error: error instanceof Error ? error.message : String(error) };
  }
}
