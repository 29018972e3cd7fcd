import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, MemoryRunStore } from '../index';
import { MockAgentProvider } from '../test/index';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const PLAN = `\`\`\`json\n${JSON.stringify({ summary: 'plan', tasks: [{ id: 'a', title: 'Do a', agent: 'backend-dev' }] })}\n\`\`\``;
const MET = JSON.stringify({ isMet: true, reasoning: 'All checks passed.', criteria: [] });

describe('the judge step', () => {
  it("keeps the iteration's records while the judge decides", async () => {
    const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-judge-step-'));
    directories.push(projectDir);
    const plans = join(projectDir, 'specs', 'plan-iteration-1.json');
    let hasRecordsWhileJudging: boolean | undefined;
    const provider = new MockAgentProvider({
      complete: async (options) => {
        if (options.purpose !== 'judge') return PLAN;
        // The records are written beside the judge's call: the judge answers once they are there.
        for (const deadline = Date.now() + 5000; Date.now() < deadline && !existsSync(plans); ) await new Promise((resolve) => setTimeout(resolve, 5));
        hasRecordsWhileJudging = existsSync(plans);
        return MET;
      },
      runTask: { a: [{ type: 'success', files: { 'a.txt': 'A' } }] },
    });
    const orchestrator = createOrchestrator({ projectDir, provider, runStore: new MemoryRunStore(), config: { execution: { testCommand: ['node', '-e', '0'] } } });
    const summary = await orchestrator.run('Build the thing');
    expect(summary.stopReason).toBe('met');
    expect(hasRecordsWhileJudging).toBe(true);
  });
});
