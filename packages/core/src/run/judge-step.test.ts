import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Judge, MemoryRunStore } from '../index';
import { createTemporaryRepository } from '../git/testing/temporary-repository';
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
        // The records are kept before the judge's call: the judge answers once they are there.
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

  it("runs the project's checks on the iteration's records, written and committed first, and reads the run's check changes up to the head before their commit", async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# project\n' });
    directories.push(repository.root);
    let seen: { projectChecks: Array<{ passed: boolean }>; checkChanges: unknown } | undefined;
    const judge: Judge = {
      async judge({ evidence }) {
        seen = { projectChecks: evidence.projectChecks, checkChanges: evidence.checkChanges };
        return { verdict: { isMet: true, reasoning: 'Done.', criteria: [], followUpTasks: [], basis: 'model+evidence' }, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };
      },
    };
    const provider = new MockAgentProvider({ complete: () => PLAN, runTask: { a: [{ type: 'success', files: { 'a.txt': 'A' } }] } });
    // The check passes only when this iteration's plan is there when it runs, and committed already: no git write (and no
    // lock file in .git, which a runner walking the tree trips on) happens while the checks run.
    // `sh` and `git` start in a few milliseconds, well before a commit of five git steps made beside them would be done.
    const check = ['sh', '-c', 'test -f spec/plan-iteration-1.json && git log -1 --format=%s | grep -q "plan and integration registry"'];
    // A records folder whose name the check-change detection counts as tests: had it read past the records' commit, it would say so.
    const orchestrator = createOrchestrator({ projectDir: repository.root, provider, judge, specsDirectory: 'spec', runStore: new MemoryRunStore(), config: { execution: { testCommand: check } } });
    const summary = await orchestrator.run('Build the thing');
    expect(summary.stopReason).toBe('met');
    expect(seen?.projectChecks.map((result) => result.passed)).toEqual([true]);
    expect(seen?.checkChanges).toBeUndefined();
    // The records were committed all the same, on the integration head.
    expect(await repository.git(['log', '-1', '--format=%s'])).toContain('plan and integration registry');
    expect(await repository.git(['ls-files', 'spec'])).toContain('spec/plan-iteration-1.json');
  });
});
