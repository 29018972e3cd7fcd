import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER, type RunSummary } from '@qoder-orch/core';
import { createFakeAnthropicServer, type FakeAnthropicRequest, type FakeAnthropicServer, reply } from '@qoder-orch/providers/test';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, taskIdOf, workingDirectoryOf } from '../testing/cli-process';
import { createGitProject } from '../testing/git-project';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The model behind the fake server: a two-task plan, a met verdict, and Claude Code turns that write one file each. */
function scriptedModel(request: FakeAnthropicRequest) {
  if (request.prompt.includes(PLAN_PROMPT_MARKER)) {
    return {
      type: 'json' as const,
      usage: { inputTokens: 3000, outputTokens: 400 },
      value: { tasks: ['one', 'two'].map((id) => ({ id, title: `Write ${id}`, agent: 'backend-dev', files: [`src/${id}.txt`] })) },
    };
  }
  if (request.prompt.includes(JUDGE_PROMPT_MARKER)) return { type: 'json' as const, usage: { inputTokens: 5000, outputTokens: 100 }, value: { isMet: true, reasoning: 'Both files are there.' } };
  const taskId = taskIdOf(request);
  const cwd = workingDirectoryOf(request);
  if (!taskId || !cwd) return reply.text('OK.');
  return request.turnIndex === 0 ? reply.write(join(cwd, 'src', `${taskId}.txt`), `${taskId}\n`) : reply.text(`Wrote src/${taskId}.txt.`);
}

describe('qoder-orchestrate with a plan provider and a judge provider', () => {
  it('plans through llm.plan_provider (config, base_url) and judges through --judge-provider (ANTHROPIC_BASE_URL) with AI SDK models, runs tasks with the real claude, and prints each provider’s spend', async () => {
    const server: FakeAnthropicServer = await createFakeAnthropicServer({ handler: scriptedModel });
    cleanups.push(() => server.close());
    const config = [
      'execution:',
      '  max_parallel: 2',
      '  max_iterations: 1',
      '  test_command: ["node", "-e", "0"]',
      'semantic_search:',
      '  enabled: false',
      'llm:',
      '  plan_provider:',
      '    name: ai-sdk:anthropic/claude-sonnet-4-5',
      `    base_url: ${server.url}/v1`,
      '',
    ].join('\n');
    const projectDir = await createGitProject({ 'README.md': '# project\n', '.gitignore': '.qoder-orch/\n', '.qoder-orchestrate.yaml': config });
    const home = mkdtempSync(join(tmpdir(), 'qoder-orch-cli-home-'));
    cleanups.push(
      () => rmSync(projectDir, { recursive: true, force: true }),
      () => rmSync(home, { recursive: true, force: true }),
    );
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      ...server.env,
      CLAUDE_CODE_MAX_RETRIES: '0',
      API_TIMEOUT_MS: '120000',
      NO_COLOR: '1',
      XDG_CACHE_HOME: join(home, 'cache'),
    };
    const { code, stdout, stderr } = await runCliProcess(['Write the files', '--llm-provider', 'claude', '--judge-provider', 'ai-sdk:anthropic/claude-haiku-4-5', '--project-dir', projectDir], env);
    expect(code, `${stdout.slice(-3000)}\n${stderr.slice(-2000)}`).toBe(0);
    expect(readFileSync(join(projectDir, 'src', 'two.txt'), 'utf8')).toBe('two\n');

    const planning = server.requests.filter((request) => request.prompt.includes(PLAN_PROMPT_MARKER));
    const judging = server.requests.filter((request) => request.prompt.includes(JUDGE_PROMPT_MARKER));
    expect(planning.map((request) => [request.model, request.forcedToolName])).toEqual([['claude-sonnet-4-5', 'json']]);
    expect(judging.map((request) => [request.model, request.forcedToolName])).toEqual([['claude-haiku-4-5', 'json']]);
    for (const request of [...planning, ...judging]) expect(String(request.headers['user-agent'])).toMatch(/ai-sdk/);

    const lines = stdout.split('\n');
    const byProvider = lines.findIndex((line) => line.trim() === 'By provider');
    expect(byProvider, stdout.slice(-3000)).toBeGreaterThan(0);
    expect(lines[byProvider + 1]).toMatch(/^ai-sdk:anthropic\/claude-sonnet-4-5\s+plan\s+3(\.0)?k \/ 400\s+\$0\.01/);
    expect(lines[byProvider + 2]).toMatch(/^ai-sdk:anthropic\/claude-haiku-4-5\s+judge\s+5(\.0)?k \/ 100\s+\$0\.0055/);
    expect(lines[byProvider + 3]).toMatch(/^claude-cli\s+task\s+\d+ \/ \d+/);

    // The exact figures, from the run's own record: claude-sonnet-4-5 at $3 / $15 per million
    // tokens, claude-haiku-4-5 at $1 / $5.
    const [runId] = readdirSync(join(projectDir, '.qoder-orch', 'runs'));
    const events = readFileSync(join(projectDir, '.qoder-orch', 'runs', runId!, 'events.ndjson'), 'utf8')
      .trim()
      .split('\n');
    const summary = (JSON.parse(events.at(-1)!) as { type: string; summary: RunSummary }).summary;
    const spend = new Map(summary.providers?.map((entry) => [entry.providerId, entry]));
    expect(spend.get('ai-sdk:anthropic/claude-sonnet-4-5')?.costUsd).toBeCloseTo((3000 * 3 + 400 * 15) / 1_000_000, 10);
    expect(spend.get('ai-sdk:anthropic/claude-haiku-4-5')?.costUsd).toBeCloseTo((5000 * 1 + 100 * 5) / 1_000_000, 10);
    expect(spend.get('claude-cli')?.purposes).toEqual(['task']);
  }, 180_000);
});
