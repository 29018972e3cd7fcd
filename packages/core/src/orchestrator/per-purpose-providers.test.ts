import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRunStore, createOrchestrator } from '../index';
import { MockAgentProvider } from '../test/index';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

const PASSING_CHECK = ['node', '-e', '0'];
const plan = JSON.stringify({ summary: 'plan', tasks: [{ id: 'a', title: 'Do a', agent: 'backend-dev' }] });
const met = JSON.stringify({ isMet: true, reasoning: 'All checks passed.', criteria: [] });

describe('per-purpose providers', () => {
  it('plans with planProvider, judges with judgeProvider, runs tasks with provider, and sums each one’s spend', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-purposes-'));
    directories.push(directory);
    const agent = new MockAgentProvider({
      providerId: 'agent-cli',
      complete: ['the agent is never asked to plan or judge'],
      runTask: { a: [{ type: 'success', files: { 'a.txt': 'A' }, usage: { inputTokens: 1000, outputTokens: 300 }, costUsd: 0.02 }] },
    });
    const planner = new MockAgentProvider({ providerId: 'ai-sdk:planner', complete: [{ type: 'success', text: plan, usage: { inputTokens: 400, outputTokens: 60 }, costUsd: 0.003 }] });
    const judge = new MockAgentProvider({ providerId: 'ai-sdk:judge', complete: [{ type: 'success', text: met, usage: { inputTokens: 700, outputTokens: 40 }, costUsd: 0.004 }] });
    const orchestrator = createOrchestrator({
      projectDir: directory,
      provider: agent,
      planProvider: planner,
      judgeProvider: judge,
      runStore: new MemoryRunStore(),
      durationHistory: false,
      config: { llm: { model: 'cli-only-model' }, execution: { maxParallel: 1, testCommand: PASSING_CHECK } },
    });
    const summary = await orchestrator.run('Build the thing');
    expect(summary.status).toBe('met');
    expect(agent.calls.complete).toHaveLength(0);
    expect(agent.calls.runTask.map((call) => call.taskId)).toEqual(['a']);
    expect(planner.calls.complete.map((call) => call.purpose)).toEqual(['plan']);
    expect(judge.calls.complete.map((call) => call.purpose)).toEqual(['judge']);
    // The CLI's model name is not sent to a provider that has its own model.
    expect(planner.calls.complete[0]?.model).toBeUndefined();
    expect(judge.calls.complete[0]?.model).toBeUndefined();
    expect(summary.providers).toEqual([
      { providerId: 'ai-sdk:planner', purposes: ['plan'], usage: { inputTokens: 400, outputTokens: 60 }, costUsd: 0.003 },
      { providerId: 'ai-sdk:judge', purposes: ['judge'], usage: { inputTokens: 700, outputTokens: 40 }, costUsd: 0.004 },
      { providerId: 'agent-cli', purposes: ['task'], usage: { inputTokens: 1000, outputTokens: 300 }, costUsd: 0.02 },
    ]);
    expect(summary.overheadCostUsd).toBeCloseTo(0.007, 10);
    expect(summary.costUsd).toBeCloseTo(0.027, 10);
  });

  it('without them, one provider does everything and is listed once', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-purposes-'));
    directories.push(directory);
    const agent = new MockAgentProvider({ providerId: 'agent-cli', complete: (options) => (options.purpose === 'judge' ? met : plan), runTask: { a: [{ type: 'success', files: { 'a.txt': 'A' } }] } });
    const orchestrator = createOrchestrator({ projectDir: directory, provider: agent, runStore: new MemoryRunStore(), durationHistory: false, config: { execution: { maxParallel: 1, testCommand: PASSING_CHECK } } });
    const summary = await orchestrator.run('Build the thing');
    expect(summary.providers?.map((spend) => [spend.providerId, spend.purposes])).toEqual([['agent-cli', ['plan', 'judge', 'task']]]);
  });
});
