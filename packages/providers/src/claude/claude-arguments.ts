import type { CompleteOptions, PermissionMode, RunTaskOptions } from '@qoder-orch/spec';

/** Arguments common to every headless run: print mode, streamed JSON. The prompt goes on stdin. */
const BASE = ['-p', '--output-format', 'stream-json', '--verbose'];

/** Argument vector of `claude -p` for an agentic task. */
export function claudeTaskArguments(options: RunTaskOptions, defaults: { model?: string | undefined; permissionMode: PermissionMode; sessionId: string; extraArgs: readonly string[] }): string[] {
  const args = [...BASE, '--permission-mode', options.permissionMode ?? defaults.permissionMode];
  if (options.allowedTools && options.allowedTools.length > 0) args.push('--allowedTools', options.allowedTools.join(','));
  if (options.disallowedTools && options.disallowedTools.length > 0) args.push('--disallowedTools', options.disallowedTools.join(','));
  if (options.maxTurns !== undefined) args.push('--max-turns', String(options.maxTurns));
  const model = options.model ?? defaults.model;
  if (model) args.push('--model', model);
  if (options.systemPrompt) args.push('--append-system-prompt', options.systemPrompt);
  if (options.maxBudgetUsd !== undefined) args.push('--max-budget-usd', String(options.maxBudgetUsd));
  if (options.resumeSessionId) args.push('--resume', options.resumeSessionId);
  else args.push('--session-id', defaults.sessionId);
  args.push(...defaults.extraArgs);
  return args;
}

/**
 * Argument vector of `claude -p` for a completion (planning, judging): no built-in tools
 * (`--tools ""`), so nothing can be read, run or edited, and `dontAsk`, so anything else that
 * would need a permission is denied without a prompt. Not plan mode: its injected turn tells
 * the model to call `ExitPlanMode` while the prompt asks for JSON only. `--json-schema` when a
 * structured answer is wanted (Claude answers through its `StructuredOutput` tool; the result
 * carries `structured_output`).
 */
export function claudeCompleteArguments(options: Omit<CompleteOptions, 'prompt'>, defaults: { model?: string | undefined; sessionId: string; maxTurns: number; extraArgs: readonly string[] }): string[] {
  const args = [...BASE, '--tools', '', '--permission-mode', 'dontAsk', '--max-turns', String(defaults.maxTurns), '--session-id', defaults.sessionId];
  const model = options.model ?? defaults.model;
  if (model) args.push('--model', model);
  if (options.system) args.push('--append-system-prompt', options.system);
  if (options.jsonSchema) args.push('--json-schema', JSON.stringify(withoutSchemaDialect(options.jsonSchema)));
  args.push(...defaults.extraArgs);
  return args;
}

/**
 * For a process started before its prompt is known (a warm start): the prompt comes on stdin as
 * one stream-json user message. In its default text input Claude Code waits only 3 s for stdin
 * data, then runs without a prompt and fails ("Input must be provided …"); with stream-json
 * input it waits for its first message however long that takes.
 */
export const WAITING_INPUT_ARGUMENTS: readonly string[] = ['--input-format', 'stream-json'];

/** `prompt` as the one stream-json user message a process started with `WAITING_INPUT_ARGUMENTS` reads. */
export function claudeInputMessage(prompt: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: prompt }] } })}\n`;
}

/**
 * Claude Code 2.1 silently ignores a `--json-schema` whose `$schema` names draft 2020-12 (what
 * zod 4's `toJSONSchema` writes), answering free text instead; without `$schema` it is enforced.
 */
export function withoutSchemaDialect(schema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
