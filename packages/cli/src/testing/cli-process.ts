import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeAnthropicRequest } from '@qoder-orch/providers/test';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin.ts', import.meta.url));

/** The CLI from its sources in a child process (`node --import tsx bin.ts …`) with exactly `env`: its exit code and output. */
export async function runCliProcess(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** The task id the orchestrator tags a task's prompt with, as the fake model server received it. */
export const taskIdOf = (request: FakeAnthropicRequest): string | undefined => /\[qoder-orch:task ([^\]\s]+)\]/.exec(request.prompt)?.[1];

/** The working directory Claude Code names in its system prompt: the demo's reader. */
export { workingDirectoryOf } from '../demo/scripted-model';
