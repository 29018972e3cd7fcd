import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentProcessResult } from '../process/run-agent-process';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__');

/** A recorded output (`__fixtures__/<name>.ndjson|json`) and the process result it came with. */
export function recordedRun(file: string): { lines: string[]; process: AgentProcessResult } {
  const stdout = readFileSync(join(fixtures, file), 'utf8');
  const meta = JSON.parse(readFileSync(join(fixtures, file.replace(/\.(nd)?json$/, '.meta.json')), 'utf8')) as { exitCode: number | null; stderr: string };
  return {
    lines: stdout.split('\n'),
    process: processResultOf({ exitCode: meta.exitCode ?? undefined, stdout, stderrTail: meta.stderr, outputTail: stdout.slice(-4000) }),
  };
}

/** A process result of a clean exit (code 0, no output) with the given fields changed. */
export function processResultOf(overrides: Partial<AgentProcessResult> = {}): AgentProcessResult {
  return {
    exitCode: 0,
    signal: undefined,
    isTimedOut: false,
    isStalled: false,
    isCanceled: false,
    spawnErrorCode: undefined,
    spawnErrorMessage: undefined,
    pid: 1,
    stdout: '',
    stderrTail: '',
    outputTail: '',
    durationMs: 1,
    ...overrides,
  };
}
