import type { ContextChunk, Task } from '@qoder-orch/spec';

/** The text that is embedded for a chunk: its heading path, then its text. */
export function embeddingText(chunk: ContextChunk): string {
  return chunk.heading === undefined ? chunk.text : `${chunk.heading}\n${chunk.text}`;
}

/** What a task is about, as one query: the subagent's role, title, description, acceptance criteria, files. */
export function taskQuery(task: Pick<Task, 'title' | 'description' | 'acceptance' | 'files'>, subagentName?: string): string {
  return [subagentName?.replace(/-/g, ' '), task.title, task.description, ...task.acceptance, ...task.files].filter((part): part is string => typeof part === 'string' && part.trim() !== '').join('\n');
}
