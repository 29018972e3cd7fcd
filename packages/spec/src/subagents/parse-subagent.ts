import { isMap, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { OrchestratorError } from '../errors/orchestrator-error';
import { splitFrontMatter } from './split-front-matter';
import { type SubagentDefinition, SubagentFrontMatterSchema } from './subagent-schema';

function invalid(source: string, problem: string, cause?: unknown): OrchestratorError {
  return new OrchestratorError({
    code: 'SUBAGENT_INVALID',
    message: `Invalid subagent ${source}: ${problem}`,
    cause,
    fix: 'A subagent file is YAML front matter between two "---" lines (name, description, and optionally tools, model, permissionMode, maxTurns, provider) followed by the system prompt in markdown.',
  });
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.') || '(front matter)';
  return `${path}: ${issue.message}`;
}

/**
 * Parses one subagent file (YAML front matter + markdown system prompt) and validates it with
 * {@link SubagentFrontMatterSchema}.
 *
 * @param text The file's content.
 * @param source Where it came from (a path relative to the project, or `builtin:<name>`); named in errors and kept on the result.
 * @throws OrchestratorError with code `SUBAGENT_INVALID` naming `source` and the problem.
 */
export function parseSubagent(text: string, source: string): SubagentDefinition {
  const parts = splitFrontMatter(text);
  if (!parts) {
    throw invalid(source, 'no YAML front matter: the file must start with a "---" line and the front matter must end with another "---" line');
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(parts.frontMatter, { lineCounter, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = lineCounter.linePos(syntaxError.pos[0]);
    const line = position.line + parts.frontMatterLine - 1;
    throw invalid(source, `YAML syntax error in the front matter at line ${line}, column ${position.col}: ${syntaxError.message.split('\n')[0]}`, syntaxError);
  }
  if (document.contents !== null && !isMap(document.contents)) {
    throw invalid(source, 'the front matter must be a mapping of keys (name: …, description: …)');
  }
  // `tools:` with nothing after it means "not set", as in Claude Code, not an invalid null.
  const raw = Object.fromEntries(Object.entries((document.toJS() ?? {}) as Record<string, unknown>).filter(([, value]) => value !== null));
  const parsed = SubagentFrontMatterSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(source, parsed.error.issues.map(formatIssue).join('; '), parsed.error);
  }
  const systemPrompt = parts.body.trim();
  if (systemPrompt === '') {
    throw invalid(source, 'the body (the system prompt, after the front matter) is empty');
  }
  const front = parsed.data;
  const definition: SubagentDefinition = { name: front.name, description: front.description.trim(), systemPrompt, source };
  if (front.tools !== undefined) definition.tools = front.tools;
  if (front.disallowedTools !== undefined) definition.disallowedTools = front.disallowedTools;
  if (front.model !== undefined) definition.model = front.model;
  if (front.permissionMode !== undefined) definition.permissionMode = front.permissionMode;
  if (front.maxTurns !== undefined) definition.maxTurns = front.maxTurns;
  if (front.provider !== undefined) definition.provider = front.provider;
  return definition;
}
