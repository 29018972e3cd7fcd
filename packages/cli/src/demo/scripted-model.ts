import { join } from 'node:path';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER, TASK_PROMPT_MARKER } from '@qoder-orch/core';
import { type FakeAnthropicHandler, type FakeAnthropicReply, type FakeAnthropicRequest, reply } from '@qoder-orch/providers/test';
import { demoPlan, demoTaskTurns, type ScriptedTool, type ScriptedTurn } from './todo-app-script';

/** Token counts the scripted answers report, so the summary shows a plausible ledger. */
const USAGE = { plan: { inputTokens: 3_800, outputTokens: 900 }, turn: { inputTokens: 2_600, outputTokens: 240 }, judge: { inputTokens: 4_100, outputTokens: 520 } };

function withUsage(answer: FakeAnthropicReply, usage: { inputTokens: number; outputTokens: number }): FakeAnthropicReply {
  return answer.type === 'message' || answer.type === 'json' ? { ...answer, usage } : answer;
}

/** The task's working directory, as Claude Code tells the model in its system prompt. */
export function workingDirectoryOf(request: FakeAnthropicRequest): string | undefined {
  return /Primary working directory: (\S[^\n]*)/.exec(request.system)?.[1]?.trim();
}

function toolInput(tool: ScriptedTool, cwd: string): { name: string; input: Record<string, unknown> } {
  const filePath = join(cwd, tool.file);
  switch (tool.name) {
    case 'Read':
      return { name: 'Read', input: { file_path: filePath } };
    case 'Write':
      return { name: 'Write', input: { file_path: filePath, content: tool.content } };
    case 'Edit':
      return { name: 'Edit', input: { file_path: filePath, old_string: tool.oldString, new_string: tool.newString } };
  }
}

function finalText(turn: Extract<ScriptedTurn, { final: string }>): string {
  return `${turn.final}\n\n\`\`\`json\n${JSON.stringify(turn.report, null, 2)}\n\`\`\``;
}

function taskReply(request: FakeAnthropicRequest, taskId: string): FakeAnthropicReply {
  const turns = demoTaskTurns[taskId];
  const cwd = workingDirectoryOf(request);
  if (!turns || !cwd) {
    const why = !turns ? `the scripted demo model has no answer for task ${taskId}` : 'the request did not name a working directory';
    return reply.text(`I cannot do this: ${why}.\n\n\`\`\`json\n${JSON.stringify({ status: 'failure', summary: why })}\n\`\`\``);
  }
  const turn = turns[Math.min(request.turnIndex, turns.length - 1)]!;
  if ('final' in turn) return withUsage(reply.text(finalText(turn)), USAGE.turn);
  return withUsage(
    reply.tools(
      turn.tools.map((tool) => toolInput(tool, cwd)),
      turn.say,
    ),
    USAGE.turn,
  );
}

/**
 * The judge's scripted answer, read from the evidence in the prompt (as a model would): each
 * acceptance criterion is met when its task completed and none of its checks failed; the
 * objective is met when every criterion is and the evidence rules found no failure.
 */
export function judgeAnswer(prompt: string): { isMet: boolean; reasoning: string; criteria: Array<{ criterion: string; isMet: boolean; evidence: string }>; followUpTasks: [] } {
  const criteria: Array<{ criterion: string; isMet: boolean; evidence: string }> = [];
  const criteriaText = prompt.split('Acceptance criteria from the plan:')[1]?.split('\nRules:')[0] ?? '';
  let taskId = '';
  for (const line of criteriaText.split('\n')) {
    const task = /^- \[([^\]]+)\]/.exec(line);
    if (task) {
      taskId = task[1]!;
      continue;
    }
    const criterion = /^\s+- (.+)$/.exec(line)?.[1];
    if (!criterion || !taskId) continue;
    const section = prompt.split(`### ${taskId} (`)[1]?.split('\n### ')[0]?.split('\n## ')[0] ?? '';
    const status = /\): (\w+);/.exec(section)?.[1] ?? 'unknown';
    const checks = section.split('\n').filter((entry) => entry.startsWith('- ') && /→ (PASSED|FAILED)/.test(entry));
    const isMet = status === 'completed' && checks.length > 0 && checks.every((check) => check.includes('→ PASSED'));
    criteria.push({ criterion, isMet, evidence: `${taskId}: ${status}; ${checks.length > 0 ? checks.map((check) => check.slice(2)).join('; ') : 'no checks ran'}` });
  }
  const failuresText = prompt.split('## Failures found by the evidence rules')[1] ?? '';
  const hasRuleFailures = !/\n(none)\s*(\n|$)/.test(failuresText.split('</evidence>')[0] ?? '');
  const projectChecks = prompt.split('## Project checks')[1]?.split('\n## ')[0] ?? '';
  const hasFailedProjectCheck = projectChecks.includes('→ FAILED');
  const isMet = criteria.length > 0 && criteria.every((criterion) => criterion.isMet) && !hasRuleFailures && !hasFailedProjectCheck;
  const reasoning = isMet
    ? `Every task completed and every check the orchestrator ran passed (${criteria.length} criteria met); the project's own tests pass.`
    : `Not met: ${criteria.filter((criterion) => !criterion.isMet).length} criteria lack passing evidence${hasRuleFailures ? ', the evidence rules found failures' : ''}${hasFailedProjectCheck ? ', a project check failed' : ''}.`;
  return { isMet, reasoning, criteria, followUpTasks: [] };
}

/**
 * The scripted "model" behind the demo's fake Anthropic server: it answers the planner with
 * the demo plan, each task with real tool uses on the task's own working directory, and the
 * judge from the evidence it is shown.
 */
export function createDemoModel(): FakeAnthropicHandler {
  return (request) => {
    const prompt = request.prompt;
    if (prompt.startsWith(PLAN_PROMPT_MARKER)) {
      return request.turnIndex === 0 ? withUsage(reply.json(demoPlan), USAGE.plan) : 'Plan delivered.';
    }
    if (prompt.startsWith(JUDGE_PROMPT_MARKER)) {
      return request.turnIndex === 0 ? withUsage(reply.json(judgeAnswer(prompt)), USAGE.judge) : 'Verdict delivered.';
    }
    if (prompt.startsWith(TASK_PROMPT_MARKER)) {
      const taskId = /^\[qoder-orch:task ([^\]\s]+)\]/.exec(prompt)?.[1] ?? '';
      return taskReply(request, taskId);
    }
    return undefined;
  };
}
