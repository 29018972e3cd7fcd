import { join } from 'node:path';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER } from '@qoder-orch/core';
import { type FakeAnthropicHandler, type FakeAnthropicRequest, reply } from '@qoder-orch/providers/test';

/** What the scripted planner and judge report having used, so the summary's figures can be checked. */
export const PLAN_USAGE = { inputTokens: 1500, outputTokens: 220 };
export const JUDGE_USAGE = { inputTokens: 2600, outputTokens: 90 };

const PLAN = {
  summary: 'Two independent files.',
  tasks: [
    { id: 'greeting', title: 'Write the greeting', agent: 'backend-dev', files: ['src/greeting.txt'] },
    { id: 'farewell', title: 'Write the farewell', agent: 'backend-dev', files: ['src/farewell.txt'] },
  ],
};

const taskIdOf = (request: FakeAnthropicRequest) => /\[qoder-orch:task ([^\]\s]+)\]/.exec(request.prompt)?.[1];
const workingDirectoryOf = (request: FakeAnthropicRequest) => (/Working directory: (\S+)/.exec(request.system) ?? /Primary working directory: (\S+)/.exec(request.system))?.[1];

/**
 * The fake Anthropic model of the offline run. The planner and the judge (the AI SDK) get
 * structured answers; each task's Claude Code turn writes its file with the Write tool, then
 * says it is done.
 */
export const scriptedModel: FakeAnthropicHandler = (request) => {
  if (request.prompt.includes(PLAN_PROMPT_MARKER)) return { type: 'json', value: PLAN, usage: PLAN_USAGE };
  if (request.prompt.includes(JUDGE_PROMPT_MARKER)) return { type: 'json', value: { isMet: true, reasoning: 'Both files exist and the check passed.' }, usage: JUDGE_USAGE };
  const taskId = taskIdOf(request);
  const cwd = workingDirectoryOf(request);
  if (!taskId || !cwd) return reply.text('OK.');
  return request.turnIndex === 0 ? reply.write(join(cwd, 'src', `${taskId}.txt`), `${taskId}\n`) : reply.text(`Wrote src/${taskId}.txt.`);
};
