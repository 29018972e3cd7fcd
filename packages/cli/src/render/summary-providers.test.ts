import { describe, expect, it } from 'vitest';
import { createStyle } from '../index';
import { sampleSummary } from '../testing/sample-run-events';
import { renderSummary } from './summary-block';

describe('the summary by provider', () => {
  it('lists each provider with what it did, its tokens and its cost when more than one took part', () => {
    const text = renderSummary(
      {
        ...sampleSummary,
        providers: [
          { providerId: 'ai-sdk:anthropic/claude-sonnet-4-5', purposes: ['plan', 'judge'], usage: { inputTokens: 2400, outputTokens: 310 }, costUsd: 0.0118 },
          { providerId: 'claude-cli', purposes: ['task'], usage: { inputTokens: 51000, outputTokens: 4200 }, costUsd: 0.42 },
        ],
      },
      createStyle(false),
    );
    const lines = text.split('\n');
    const start = lines.indexOf('By provider');
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toMatch(/^ai-sdk:anthropic\/claude-sonnet-4-5\s+plan, judge\s+2\.4k \/ 310\s+\$0\.01/);
    expect(lines[start + 2]).toMatch(/^claude-cli\s+task\s+51(\.0)?k \/ 4\.2k\s+\$0\.42/);
  });

  it('says nothing more when one provider did everything', () => {
    const text = renderSummary({ ...sampleSummary, providers: [{ providerId: 'claude-cli', purposes: ['plan', 'judge', 'task'], usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 }] }, createStyle(false));
    expect(text).not.toMatch(/By provider/);
  });
});
