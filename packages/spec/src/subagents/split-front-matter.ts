/** A markdown file split into its YAML front matter and its body. */
export interface FrontMatterParts {
  /** The YAML between the `---` lines, without them. */
  frontMatter: string;
  /** The markdown after the closing `---` line. */
  body: string;
  /** The 1-based line on which the YAML starts (after the opening `---`), for error positions. */
  frontMatterLine: number;
}

/**
 * Splits `---\n<yaml>\n---\n<body>` (Claude Code / Qoder subagent files). Accepts a UTF-8 BOM,
 * CRLF line endings and `...` as the closing line. Returns undefined when the text does not
 * open with a front matter block or the block is never closed.
 */
export function splitFrontMatter(text: string): FrontMatterParts | undefined {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  if (lines[0]?.trimEnd() !== '---') return undefined;
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index]!.trimEnd();
    if (line === '---' || line === '...') {
      return {
        frontMatter: lines.slice(1, index).join('\n'),
        body: lines.slice(index + 1).join('\n'),
        frontMatterLine: 2,
      };
    }
  }
  return undefined;
}
