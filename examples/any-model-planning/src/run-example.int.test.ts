import { rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER } from '@qoder-orch/core';
import { createFakeAnthropicServer, type FakeAnthropicServer, fakeClaudeCliSettings } from '@qoder-orch/providers/test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runExample } from './run-example';
import { JUDGE_USAGE, PLAN_USAGE, scriptedModel } from './scripted-model';

let server: FakeAnthropicServer | undefined;
let projectDir: string | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  if (projectDir) await rm(projectDir, { recursive: true, force: true });
});

describe('examples/any-model-planning', () => {
  it('plans and judges through @ai-sdk/anthropic while the real claude binary runs the tasks, and the summary shows both providers', async () => {
    server = await createFakeAnthropicServer({ handler: scriptedModel });
    vi.stubEnv('ANTHROPIC_API_KEY', 'fake-anthropic-key');
    const result = await runExample({ baseURL: `${server.url}/v1`, claude: fakeClaudeCliSettings(server, { apiTimeoutMs: 120_000 }) });
    projectDir = result.projectDir;
    const { summary } = result;
    expect(summary.status, JSON.stringify(summary.error ?? summary.verdict)).toBe('met');
    expect(summary.tasks).toMatchObject({ total: 2, completed: 2 });
    expect(readFileSync(join(projectDir, 'src', 'greeting.txt'), 'utf8')).toBe('greeting\n');

    // Who answered what: the plan and the verdict came from the AI SDK (a forced `json` tool, its
    // user agent, no Claude Code system prompt); every task turn came from Claude Code.
    const planning = server.requests.filter((request) => request.prompt.includes(PLAN_PROMPT_MARKER));
    const judging = server.requests.filter((request) => request.prompt.includes(JUDGE_PROMPT_MARKER));
    expect(planning).toHaveLength(1);
    expect(judging).toHaveLength(1);
    for (const request of [...planning, ...judging]) {
      expect(request.forcedToolName).toBe('json');
      expect(String(request.headers['user-agent'])).toMatch(/ai-sdk/);
      expect(request.system).not.toMatch(/Claude Code/);
    }
    const taskTurns = server.requests.filter((request) => /\[qoder-orch:task /.test(request.prompt));
    expect(taskTurns.length).toBeGreaterThanOrEqual(4);
    for (const request of taskTurns) expect(request.system).toMatch(/Claude Code|Claude agent|Agent SDK/);

    // The summary keeps each provider's spend apart.
    const [model, agent, extra] = summary.providers ?? [];
    expect(summary.providers).toHaveLength(2);
    expect(model).toMatchObject({
      providerId: 'ai-sdk:anthropic/claude-sonnet-4-5',
      purposes: ['plan', 'judge'],
      usage: { inputTokens: PLAN_USAGE.inputTokens + JUDGE_USAGE.inputTokens, outputTokens: PLAN_USAGE.outputTokens + JUDGE_USAGE.outputTokens },
    });
    // $3 / $15 per million tokens for claude-sonnet-4-5.
    expect(model?.costUsd).toBeCloseTo(((1500 + 2600) * 3 + (220 + 90) * 15) / 1_000_000, 10);
    expect(agent).toMatchObject({ providerId: 'claude-cli', purposes: ['task'] });
    expect(agent?.usage.inputTokens).toBeGreaterThan(0);
    expect(extra).toBeUndefined();
    expect(summary.overheadCostUsd).toBeCloseTo(model!.costUsd, 10);
  }, 180_000);
});
