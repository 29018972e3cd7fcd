import type { RunTaskResult } from '@qoder-orch/core';
import { execa } from 'execa';

/** What the stub agent does: start Node, print one JSON line, exit. Like a CLI agent that has nothing to do. */
export const STUB_AGENT_SCRIPT = `process.stdout.write(JSON.stringify({ type: 'result', summary: 'Done ' + process.argv[1], usage: { inputTokens: 1, outputTokens: 1 } }) + '\\n')`;

/**
 * Spawns the stub agent for one task: a tiny command provider's `doRunTask` (the benchmark
 * plugs it into a provider whose planning and judging answers are scripted): `node -e <script> <taskId>`,
 * an argument vector, no shell.
 */
export async function spawnStubAgent(taskId: string, cwd: string, abortSignal?: AbortSignal): Promise<RunTaskResult> {
  const startedAt = Date.now();
  const { stdout } = await execa(process.execPath, ['-e', STUB_AGENT_SCRIPT, taskId], { cwd, ...(abortSignal ? { cancelSignal: abortSignal } : {}) });
  const parsed = JSON.parse(stdout) as { summary: string; usage: { inputTokens: number; outputTokens: number } };
  return { summary: parsed.summary, usage: parsed.usage, durationMs: Date.now() - startedAt };
}

/**
 * What the writing stub agent does: start Node, write one file in its working directory
 * (`append`: add a line to an existing file; `create`: a new file, folders made), print one
 * JSON line, exit. An agent that makes a one-file change at once.
 */
export const WRITING_STUB_AGENT_SCRIPT = `const fs = require('node:fs'); const path = require('node:path');
const [taskId, file, mode, text] = process.argv.slice(1);
if (mode === 'append') fs.appendFileSync(file, text + '\\n');
else { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text + '\\n'); }
process.stdout.write(JSON.stringify({ type: 'result', summary: 'Changed ' + file + ' for ' + taskId, usage: { inputTokens: 1, outputTokens: 1 } }) + '\\n')`;

/** One file change a writing stub agent makes: `file` relative to its working directory. */
export interface StubEdit {
  file: string;
  mode: 'append' | 'create';
  text: string;
}

/** Spawns the writing stub agent for one task in `cwd` (an argument vector, no shell). */
export async function spawnWritingStubAgent(taskId: string, cwd: string, edit: StubEdit, abortSignal?: AbortSignal): Promise<RunTaskResult> {
  const startedAt = Date.now();
  const { stdout } = await execa(process.execPath, ['-e', WRITING_STUB_AGENT_SCRIPT, taskId, edit.file, edit.mode, edit.text], { cwd, ...(abortSignal ? { cancelSignal: abortSignal } : {}) });
  const parsed = JSON.parse(stdout) as { summary: string; usage: { inputTokens: number; outputTokens: number } };
  return { summary: parsed.summary, usage: parsed.usage, durationMs: Date.now() - startedAt };
}
