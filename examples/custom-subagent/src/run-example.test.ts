import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PLAN_PROMPT_MARKER } from '@qoder-orch/core';
import { parseSubagent } from '@qoder-orch/spec';
import { describe, expect, it } from 'vitest';
import { PROJECT_TEMPLATE, runExample } from './run-example';

const SUBAGENT_FILE = '.claude/agents/security-reviewer.md';

describe('examples/custom-subagent', () => {
  it('the plan assigns a task to the project subagent, whose instructions and tools reach the agent, and the run is met', async () => {
    const subagent = parseSubagent(await readFile(join(PROJECT_TEMPLATE, SUBAGENT_FILE), 'utf8'), SUBAGENT_FILE);
    const { summary, provider, projectDir } = await runExample();
    try {
      expect(summary).toMatchObject({ status: 'met', tasks: { total: 2, completed: 2 } });
      // The planner was told the subagent exists, by name and description.
      const planPrompt = provider.calls.complete.find((call) => call.prompt.startsWith(PLAN_PROMPT_MARKER))?.prompt ?? '';
      expect(planPrompt).toContain('security-reviewer');
      expect(planPrompt).toContain(subagent.description);
      // The task assigned to it ran with the file's markdown body as its system prompt, and its front matter.
      const review = provider.calls.runTask.find((call) => call.taskId === 'review');
      expect(review?.systemPrompt).toContain(subagent.systemPrompt);
      expect(review?.systemPrompt).toContain('SEC-<number>');
      expect(review).toMatchObject({ permissionMode: 'acceptEdits', maxTurns: 20, allowedTools: expect.arrayContaining(['Read', 'Grep', 'Glob', 'Write']) });
      // Other tasks did not get the reviewer's instructions.
      expect(provider.calls.runTask.find((call) => call.taskId === 'login')?.systemPrompt ?? '').not.toContain('SEC-<number>');
      expect(summary.results.find((result) => result.taskId === 'review')).toMatchObject({ agent: 'security-reviewer', status: 'completed' });
      expect(await readFile(join(projectDir, 'SECURITY_REVIEW.md'), 'utf8')).toMatch(/^SEC-1 /);
    } finally {
      await rm(projectDir, { recursive: true, force: true });
    }
  });
});
