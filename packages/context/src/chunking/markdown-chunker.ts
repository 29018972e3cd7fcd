import type { ContextChunk } from '@qoder-orch/spec';
import { contentHash } from '../files/content-hash';

export interface ChunkingOptions {
  /** Longest chunk in characters; longer sections are split on paragraphs. @default 1600 */
  maxChars?: number;
}

export const DEFAULT_MAX_CHUNK_CHARS = 1600;

interface Section {
  headings: string[];
  lines: string[];
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const FENCE = /^[ \t]*(```|~~~)/;

/** Splits markdown into sections at ATX headings (outside code fences), keeping the heading path. */
function sections(markdown: string): Section[] {
  const result: Section[] = [];
  const path: string[] = [];
  let current: Section = { headings: [], lines: [] };
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1] as string;
      if (fence === undefined) fence = marker;
      else if (fence === marker) fence = undefined;
    }
    const heading = fence === undefined && !fenceMatch ? HEADING.exec(line) : null;
    if (heading) {
      result.push(current);
      const level = (heading[1] as string).length;
      path.length = Math.min(path.length, level - 1);
      while (path.length < level - 1) path.push('');
      path.push((heading[2] as string).trim());
      current = { headings: path.filter(Boolean), lines: [line] };
    } else {
      current.lines.push(line);
    }
  }
  result.push(current);
  return result;
}

/** Paragraphs (blank-line separated, code fences kept whole). */
function paragraphs(text: string): string[] {
  const result: string[] = [];
  let buffer: string[] = [];
  let isInFence = false;
  for (const line of text.split('\n')) {
    if (FENCE.test(line)) isInFence = !isInFence;
    if (!isInFence && line.trim() === '') {
      if (buffer.length > 0) result.push(buffer.join('\n'));
      buffer = [];
    } else {
      buffer.push(line);
    }
  }
  if (buffer.length > 0) result.push(buffer.join('\n'));
  return result;
}

/** Cuts one over-long paragraph on line ends, then hard at maxChars. */
function cutLong(paragraph: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const line of paragraph.split('\n')) {
    for (let start = 0; start < Math.max(line.length, 1); start += maxChars) {
      const part = line.slice(start, start + maxChars);
      if (piece.length > 0 && piece.length + 1 + part.length > maxChars) {
        pieces.push(piece);
        piece = '';
      }
      piece = piece.length > 0 ? `${piece}\n${part}` : part;
    }
  }
  if (piece.trim()) pieces.push(piece);
  return pieces;
}

/** Packs paragraphs into pieces of at most maxChars. */
function splitSection(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const pieces: string[] = [];
  let piece = '';
  for (const paragraph of paragraphs(text).flatMap((part) => (part.length > maxChars ? cutLong(part, maxChars) : [part]))) {
    if (piece.length > 0 && piece.length + 2 + paragraph.length > maxChars) {
      pieces.push(piece);
      piece = '';
    }
    piece = piece.length > 0 ? `${piece}\n\n${paragraph}` : paragraph;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/** The stable chunk id: sha256 of source, heading and text, 16 hex characters. */
export function chunkId(source: string, heading: string | undefined, text: string): string {
  return contentHash([source, heading ?? '', text]);
}

/**
 * Markdown → chunks: one per heading section, long sections split on paragraphs so no chunk is
 * longer than `maxChars`. Sections with a heading but no body are folded into the next one's
 * heading path; identical chunks in one file are kept once.
 */
export function chunkMarkdown(markdown: string, source: string, kind: ContextChunk['kind'], options: ChunkingOptions = {}): ContextChunk[] {
  const maxChars = Math.max(200, options.maxChars ?? DEFAULT_MAX_CHUNK_CHARS);
  const chunks: ContextChunk[] = [];
  const seen = new Set<string>();
  for (const section of sections(markdown)) {
    const text = section.lines.join('\n').trim();
    const bodyIsEmpty = section.lines.slice(section.headings.length > 0 ? 1 : 0).every((line) => line.trim() === '');
    if (!text || bodyIsEmpty) continue;
    const heading = section.headings.length > 0 ? section.headings.join(' > ') : undefined;
    for (const piece of splitSection(text, maxChars)) {
      const trimmed = piece.trim();
      if (!trimmed) continue;
      const id = chunkId(source, heading, trimmed);
      if (seen.has(id)) continue;
      seen.add(id);
      chunks.push({ id, source, ...(heading === undefined ? {} : { heading }), kind, text: trimmed });
    }
  }
  return chunks;
}
