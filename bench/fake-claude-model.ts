import { join } from 'node:path';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER, TASK_PROMPT_MARKER } from '@qoder-orch/core';
import { type FakeAnthropicHandler, type FakeAnthropicRequest, reply } from '@qoder-orch/providers/test';

/** The file task `t<index>` writes, relative to its working directory. */
export const taskFile = (taskId: string): string => `bench-${taskId}.md`;

/** A plan of `count` independent trivial tasks, each writing one file, as the planner's structured answer. */
export function trivialPlan(objective: string, count: number): Record<string, unknown> {
  return {
    objective,
    summary: `${count} independent one-file notes.`,
    tasks: Array.from({ length: count }, (_, index) => ({
      id: `t${index}`,
      title: `Write note ${index}`,
      description: `Create ${taskFile(`t${index}`)} with one line.`,
      agent: 'backend-dev',
      dependsOn: [],
      files: [taskFile(`t${index}`)],
      acceptance: [`${taskFile(`t${index}`)} exists`],
      verify: [],
      estimateMinutes: 1,
    })),
  };
}

const workingDirectoryOf = (request: FakeAnthropicRequest): string | undefined => /Primary working directory: (\S[^\n]*)/.exec(request.system)?.[1]?.trim();

/**
 * The scripted model behind the claude-wall benchmark's fake Anthropic server: the planner
 * gets `plan`, each task one Write of its file (in the working directory Claude Code names)
 * and then a final report, the judge "met". Answers the same whether the orchestrator or the
 * benchmark's direct `claude -p` calls ask. `round()` goes into each written file, so every
 * round changes something.
 */
export function trivialTasksModel(plan: Record<string, unknown>, round: () => number): FakeAnthropicHandler {
  return (request) => {
    const prompt = request.prompt;
    if (prompt.startsWith(PLAN_PROMPT_MARKER)) return request.turnIndex === 0 ? reply.json(plan) : 'Plan delivered.';
    if (prompt.startsWith(JUDGE_PROMPT_MARKER)) {
      return request.turnIndex === 0 ? reply.json({ isMet: true, reasoning: 'Every task wrote its note.', criteria: [], followUpTasks: [] }) : 'Verdict delivered.';
    }
    if (prompt.startsWith(TASK_PROMPT_MARKER)) {
      const taskId = /^\[qoder-orch:task ([^\]\s]+)\]/.exec(prompt)?.[1] ?? '';
      const cwd = workingDirectoryOf(request);
      if (!taskId || !cwd) return reply.text(`\`\`\`json\n${JSON.stringify({ status: 'failure', summary: 'no task id or working directory' })}\n\`\`\``);
      if (request.turnIndex === 0) return reply.write(join(cwd, taskFile(taskId)), `Note of ${taskId}, round ${round()}.\n`, `Writing ${taskFile(taskId)}.`);
      return reply.text(`Wrote ${taskFile(taskId)}.\n\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: `Wrote ${taskFile(taskId)}`, filesChanged: [taskFile(taskId)] })}\n\`\`\``);
    }
    return undefined;
  };
}
