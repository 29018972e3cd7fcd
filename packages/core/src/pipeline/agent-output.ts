import { serializeError } from '@qoder-orch/spec';
import { redactJson, redactOutput } from '@qoder-orch/spec';
import type { AgentEvent, RunTaskResult } from '@qoder-orch/spec';

const MAX_TRANSCRIPT_TEXT = 4000;

/** One line of a task's transcript for an agent event. */
export function describeAgentEvent(event: AgentEvent): string {
  switch (event.type) {
    case 'text':
      return `text: ${event.text.slice(0, MAX_TRANSCRIPT_TEXT)}`;
    case 'tool-call':
      return `tool-call ${event.toolName}: ${JSON.stringify(event.input).slice(0, MAX_TRANSCRIPT_TEXT)}`;
    case 'tool-result':
      return `tool-result${event.isError ? ' (error)' : ''}: ${event.output.slice(0, MAX_TRANSCRIPT_TEXT)}`;
    case 'retry':
      return `api retry ${event.attempt}${event.maxRetries ? `/${event.maxRetries}` : ''}${event.errorStatus ? ` (status ${event.errorStatus})` : ''}`;
    case 'status':
      return `status: ${event.message}`;
  }
}

export function redactEvent(event: AgentEvent, secrets: readonly string[]): AgentEvent {
  switch (event.type) {
    case 'text':
      return { ...event, text: redactOutput(event.text, secrets) };
    case 'tool-result':
      return { ...event, output: redactOutput(event.output, secrets) };
    case 'tool-call':
      return { ...event, input: redactJson(event.input, secrets) };
    case 'status':
      return { ...event, message: redactOutput(event.message, secrets) };
    default:
      return event;
  }
}

/**
 * What an agent answered, redacted where it enters the run: its summary and structured output
 * (status, summary, interfaces for the registry, deviations for the wiki) are stored, shown,
 * committed in the registry and handed to later prompts.
 */
export function redactedRunResult(result: RunTaskResult, secrets: readonly string[]): RunTaskResult {
  return { ...result, summary: redactOutput(result.summary, secrets), ...(result.structuredOutput === undefined ? {} : { structuredOutput: redactJson(result.structuredOutput, secrets) }) };
}

export function redactedError(error: unknown, secrets: readonly string[]) {
  return redactJson(serializeError(error), secrets);
}

/** Paths an agent read, from its tool calls (`file_path`, `path`, `notebook_path` inputs). */
export function readPaths(event: AgentEvent, cwd: string): string[] {
  if (event.type !== 'tool-call' || typeof event.input !== 'object' || event.input === null) return [];
  const input = event.input as Record<string, unknown>;
  const paths: string[] = [];
  for (const key of ['file_path', 'path', 'notebook_path']) {
    const value = input[key];
    if (typeof value !== 'string' || value === '') continue;
    const relative = value.startsWith(`${cwd}/`) ? value.slice(cwd.length + 1) : value.startsWith('/') ? undefined : value.replace(/^\.\//, '');
    if (relative !== undefined) paths.push(relative === '' ? '.' : relative);
  }
  return paths;
}
