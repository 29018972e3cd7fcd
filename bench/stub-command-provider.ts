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
