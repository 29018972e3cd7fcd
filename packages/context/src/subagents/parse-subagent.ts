import { OrchestratorError, SubagentFrontMatterSchema } from '@qoder-orch/core';
import type { SubagentDefinition } from '@qoder-orch/core';
import { splitFrontMatter } from '../chunking/front-matter';

/** Turns one agent file into a definition; throws an OrchestratorError (`SUBAGENT_INVALID`) when it is not one. */
export type SubagentParser = (text: string, source: string) => SubagentDefinition;

/**
 * Parses a Claude Code / Qoder agent file: YAML front matter (core's `SubagentFrontMatterSchema`)
 * then the system prompt as markdown.
 */
export const parseSubagentFile: SubagentParser = (text, source) => {
  const { data, body, error } = splitFrontMatter(text);
  if (data === undefined) {
    throw new OrchestratorError({
      code: 'SUBAGENT_INVALID',
      message: `${source}: ${error ?? 'no YAML front matter'}.`,
      fix: 'Start the file with --- name: … description: … --- and the prompt below.',
    });
  }
  const parsed = SubagentFrontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'front matter'}: ${issue.message}`).join('; ');
    throw new OrchestratorError({ code: 'SUBAGENT_INVALID', message: `${source}: ${issues}.`, fix: 'Fix the front matter fields named.' });
  }
  const front = parsed.data;
  return {
    name: front.name,
    description: front.description,
    ...(front.tools === undefined ? {} : { tools: front.tools }),
    ...(front.disallowedTools === undefined ? {} : { disallowedTools: front.disallowedTools }),
    ...(front.model === undefined ? {} : { model: front.model }),
    ...(front.permissionMode === undefined ? {} : { permissionMode: front.permissionMode }),
    ...(front.maxTurns === undefined ? {} : { maxTurns: front.maxTurns }),
    ...(front.provider === undefined ? {} : { provider: front.provider }),
    systemPrompt: body.trim(),
    source,
  };
};
