import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PLAN_PROMPT_MARKER, TASK_PROMPT_MARKER } from '@qoder-orch/core';
import { describe, expect, it } from 'vitest';
import { ChatCompletionsProvider } from './chat-completions-provider';
import { startLocalModelServer } from './local-model-server';
import { runExample } from './run-example';
import { commitSubjects } from './temporary-git-repository';

describe('examples/custom-provider', () => {
  it('plans, runs and judges through a hand-written chat-completions provider, to "met" on a passing check', async () => {
    const { summary, chats, projectDir } = await runExample();
    try {
      expect(summary).toMatchObject({ status: 'met', tasks: { total: 2, completed: 2 } });
      const check = summary.results.find((result) => result.taskId === 'check')!;
      // The check ran in the task's worktree, then again after the merge; both passed.
      expect(check.verification.map((result) => [result.phase, result.passed])).toEqual([
        ['task', true],
        ['merge', true],
      ]);
      expect(check.verification[0]).toMatchObject({ command: ['node', 'check.js'], outputTail: expect.stringContaining('slugify ok') });
      // The work is in the repository, committed, not only claimed.
      expect(await readFile(join(projectDir, 'src/slugify.js'), 'utf8')).toContain('export const slugify');
      expect((await commitSubjects(projectDir)).length).toBeGreaterThan(1);
      // Every call went through the server: one plan, one per task (with the subagent's prompt as system), a verdict.
      const prompts = chats.map((chat) => chat.messages.at(-1)?.content ?? '');
      expect(prompts.filter((prompt) => prompt.startsWith(PLAN_PROMPT_MARKER))).toHaveLength(1);
      const taskChats = chats.filter((chat) => chat.messages.at(-1)?.content.startsWith(TASK_PROMPT_MARKER));
      expect(taskChats).toHaveLength(2);
      for (const chat of taskChats) expect(chat.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('"files"') });
      expect(summary.usage.inputTokens).toBeGreaterThan(0);
    } finally {
      await rm(projectDir, { recursive: true, force: true });
    }
  });

  it('keeps the failure contract: HTTP statuses become ProviderError codes, and doCheck finds the server', async () => {
    const server = await startLocalModelServer();
    try {
      const provider = new ChatCompletionsProvider({ baseUrl: server.baseUrl, model: 'rules-1' });
      expect(await provider.doCheck({})).toMatchObject({ installed: true, authenticated: true, problems: [] });
      const missing = new ChatCompletionsProvider({ baseUrl: `${server.baseUrl}/nowhere`, model: 'rules-1' });
      await expect(missing.doComplete({ prompt: 'hello' })).rejects.toMatchObject({ name: 'ProviderError', code: 'API_ERROR', apiStatus: 404, isRetryable: true });
    } finally {
      await server.close();
    }
    const gone = new ChatCompletionsProvider({ baseUrl: server.baseUrl, model: 'rules-1' });
    expect(await gone.doCheck({})).toMatchObject({ installed: false });
  });
});
