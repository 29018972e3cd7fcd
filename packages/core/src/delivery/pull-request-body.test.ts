import { describe, expect, it } from 'vitest';
import { RunSummarySchema, type RunSummary } from '@qoder-orch/spec';
import { PULL_REQUEST_BODY_LIMIT, pullRequestBody, pullRequestTitle, pullRequestWorthiness } from './pull-request-body';
import { fencedBlock, inlineCode } from './markdown-safe';

const hostile = '```\n</code><img src=x onerror=alert(1)> @octocat please [click](https://evil.example) <!-- hidden -->\n# Heading\n````';

function summaryWith(overrides: Partial<RunSummary> = {}): RunSummary {
  return RunSummarySchema.parse({
    runId: 'run-1',
    objective: `Add login ${hostile}`,
    status: 'met',
    stopReason: 'met',
    iterations: 1,
    tasks: { total: 1, completed: 1, failed: 0, blocked: 0, cancelled: 0 },
    results: [
      {
        taskId: 'api',
        agent: 'backend-dev',
        iteration: 1,
        status: 'completed',
        attempts: 1,
        summary: `All done ${hostile}`,
        commit: 'a'.repeat(40),
        filesChanged: ['src/api.ts'],
        verification: [{ command: ['npm', 'test'], exitCode: 1, passed: false, isTimedOut: false, durationMs: 5, outputTail: `FAIL ${hostile}`, phase: 'task' }],
      },
    ],
    verdict: { isMet: true, reasoning: `Because ${hostile}`, criteria: [{ criterion: `works ${hostile}`, isMet: true, evidence: 'x' }] },
    usage: { inputTokens: 1200, outputTokens: 300 },
    costUsd: 0.0123,
    overheadCostUsd: 0.002,
    startedAt: '2026-12-02T00:00:00.000Z',
    endedAt: '2026-12-02T00:01:00.000Z',
    durationMs: 60_000,
    branch: { name: 'feature/login', head: 'b'.repeat(40), returnedTo: 'main' },
    ...overrides,
  });
}

/** The Markdown outside code spans and fenced blocks: what GitHub would render. */
function renderedText(markdown: string): string {
  let outside = '';
  const lines = markdown.split('\n');
  let fence: string | undefined;
  for (const line of lines) {
    const opening = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined && opening !== undefined) fence = opening;
    else if (fence !== undefined && new RegExp(`^\`{${fence.length},}\\s*$`).test(line)) fence = undefined;
    else if (fence === undefined) outside += `${line.replace(/(`+) .*? \1/g, '')}\n`;
  }
  return outside;
}

describe('the pull request body', () => {
  it('shows the objective, plan, outcomes, checks, verdict and cost, with every untrusted text fenced', () => {
    const body = pullRequestBody({
      summary: summaryWith(),
      plans: [{ tasks: [{ id: 'api', title: `Write the api ${hostile}`, description: '', agent: 'backend-dev', dependsOn: [], files: [], acceptance: [], verify: [], estimateMinutes: 10 }] }] as never,
      contract: { contract: [], backend: [], frontend: [], findings: [{ kind: 'missing-route', method: 'GET', path: '/x', message: `no route ${hostile}`, severity: 'error' }], isPassed: false } as never,
    });
    for (const heading of ['## Objective', '## Plan', '## Tasks', '## Contract', '## Verdict', '## Cost']) expect(body).toContain(heading);
    expect(body).toContain('**met**');
    expect(body).toContain('Failed: 1 error(s)');
    expect(body).toContain('$0.0123');
    expect(body).toContain('failed (exit 1)');
    const outside = renderedText(body);
    // Nothing of the hostile text is rendered: no HTML, link, heading from it, and no live mention.
    for (const piece of ['<img', 'onerror', '](https://evil', '# Heading', '<!--']) expect(outside).not.toContain(piece);
    expect(body).not.toMatch(/@octocat/);
    expect(body).toContain('@\u200boctocat');
  });

  it('redacts, and caps the body under GitHub’s limit with the fence closed', () => {
    const long = 'x'.repeat(5000);
    const results = Array.from({ length: 40 }, (_, index) => ({ ...summaryWith().results[0]!, taskId: `t${index}`, summary: `${long} SECRET-VALUE`, verification: [] }));
    const body = pullRequestBody({ summary: summaryWith({ results }), redact: (text) => text.replaceAll('SECRET-VALUE', '[REDACTED]') });
    expect(body.length).toBeLessThanOrEqual(PULL_REQUEST_BODY_LIMIT);
    expect(body).not.toContain('SECRET-VALUE');
    expect(body).toContain('Cut at');
    expect(renderedText(body)).toContain('Cut at');
  });

  it('is worth opening when met or when a task landed; not when nothing landed', () => {
    expect(pullRequestWorthiness(summaryWith())).toEqual({ isWorth: true });
    expect(pullRequestWorthiness(summaryWith({ status: 'not-met', stopReason: 'max-iterations' }))).toEqual({ isWorth: true });
    const nothing = pullRequestWorthiness(summaryWith({ status: 'failed', stopReason: 'error', results: [{ ...summaryWith().results[0]!, status: 'failed' }] }));
    expect(nothing).toMatchObject({ isWorth: false, reason: expect.stringContaining('no task') });
    expect(pullRequestTitle(summaryWith({ status: 'not-met', objective: 'Add login\nmore' }))).toBe('[not-met] Add login');
  });

  it('fences cannot be closed by the text they hold', () => {
    expect(fencedBlock('a ```` b')).toMatch(/^`{5}text\n/);
    expect(inlineCode('a `` b')).toBe('``` a `` b ```');
  });
});
