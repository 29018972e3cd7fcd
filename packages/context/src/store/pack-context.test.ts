import { describe, expect, test } from 'vitest';
import { estimateTokens, packContext } from '../index';
import type { ContextChunk } from '@qoder-orch/spec';

const chunk = (id: string, source: string, text: string, kind: ContextChunk['kind'], heading?: string): ContextChunk => ({ id, source, kind, text, ...(heading === undefined ? {} : { heading }) });

describe('packContext', () => {
  const rules = [chunk('r1', 'AGENTS.md', '# Rules\n\nBe careful.', 'memory', 'Rules')];
  const candidates = [
    { ...chunk('a', 'wiki/a.md', '## A\n\nAlpha facts.', 'wiki', 'Doc > A'), score: 0.9 },
    { ...chunk('b', 'wiki/copy.md', '## A\n\nAlpha   facts.', 'wiki', 'Copy > A'), score: 0.8 }, // same text, other file
    { ...chunk('c', 'wiki/c.md', `## C\n\n${'long '.repeat(200)}`, 'wiki', 'Doc > C'), score: 0.7 },
    { ...chunk('d', 'wiki/d.md', '## D\n\nDelta.', 'wiki', 'Doc > D'), score: 0.6 },
  ];

  test('rules first, best candidates next, duplicates once, what does not fit skipped for what does, sources named', () => {
    const packed = packContext(rules, candidates, 120);
    expect(packed.chunks.map((item) => item.id)).toEqual(['r1', 'a', 'd']);
    expect(packed.text).toBe(
      [
        '## Project rules (always apply)',
        '### From AGENTS.md > Rules\n\nBe careful.',
        '## Project knowledge relevant to this task (most relevant first)',
        '### From wiki/a.md > Doc > A (relevance 0.90)\n\nAlpha facts.',
        '### From wiki/d.md > Doc > D (relevance 0.60)\n\nDelta.',
      ].join('\n\n'),
    );
    expect(packed.tokens).toBe(estimateTokens(packed.text));
    expect(packed.tokens).toBeLessThanOrEqual(120);
    expect(packed.isRulesOverBudget).toBe(false);
  });

  test('nothing to pack is an empty text', () => {
    expect(packContext([], [], 100)).toEqual({ text: '', chunks: [], tokens: 0, isRulesOverBudget: false });
  });
});
