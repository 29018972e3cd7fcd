import { describe, expect, test } from 'vitest';
import { chunkMarkdown } from '../index';

describe('chunkMarkdown', () => {
  test('one chunk per heading section, with the heading path; empty sections fold into the next', () => {
    const chunks = chunkMarkdown('Intro line.\n\n# Guide\n\n## Setup\n\nInstall it.\n\n### Linux\n\nUse apt.\n\n## Use\n\nRun it.\n', 'wiki/guide.md', 'wiki');
    expect(chunks.map((chunk) => [chunk.heading, chunk.text])).toEqual([
      [undefined, 'Intro line.'],
      ['Guide > Setup', '## Setup\n\nInstall it.'],
      ['Guide > Setup > Linux', '### Linux\n\nUse apt.'],
      ['Guide > Use', '## Use\n\nRun it.'],
    ]);
    expect(chunks.every((chunk) => chunk.source === 'wiki/guide.md' && chunk.kind === 'wiki')).toBe(true);
  });

  test('headings inside code fences are not headings', () => {
    const chunks = chunkMarkdown('# Shell\n\n```bash\n# not a heading\necho hi\n```\n', 'a.md', 'wiki');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.text).toContain('# not a heading');
  });

  test('long sections are split on paragraphs under the size limit, every piece kept', () => {
    const paragraphs = Array.from({ length: 12 }, (_, index) => `Paragraph ${index} ${'word '.repeat(40).trim()}.`);
    const chunks = chunkMarkdown(`# Long\n\n${paragraphs.join('\n\n')}\n`, 'long.md', 'wiki', { maxChars: 600 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.text.length <= 600 && chunk.heading === 'Long')).toBe(true);
    for (const paragraph of paragraphs) expect(chunks.some((chunk) => chunk.text.includes(paragraph))).toBe(true);
  });

  test('ids are stable content hashes: same input same id, any change a new id', () => {
    const [first] = chunkMarkdown('# A\n\ntext', 'a.md', 'wiki');
    const [same] = chunkMarkdown('# A\n\ntext', 'a.md', 'wiki');
    const [edited] = chunkMarkdown('# A\n\ntext!', 'a.md', 'wiki');
    const [moved] = chunkMarkdown('# A\n\ntext', 'b.md', 'wiki');
    expect(first?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(same?.id).toBe(first?.id);
    expect(new Set([first?.id, edited?.id, moved?.id]).size).toBe(3);
  });

  test('identical chunks within one file are kept once', () => {
    expect(chunkMarkdown('# A\n\nsame\n\n# A\n\nsame\n', 'a.md', 'wiki')).toHaveLength(1);
  });
});
