import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventEnvelope, MemoryRunStore, TASK_PROMPT_MARKER, createOrchestrator } from '../index';
import { MockAgentProvider } from '../test/index';

let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

const plan = JSON.stringify({
  tasks: [
    { id: 'one', title: 'Add one', agent: 'backend-dev', files: ['one.txt'], estimateMinutes: 3, verify: [['node', '-e', "require('fs').statSync('one.txt')"]] },
    { id: 'two', title: 'Add two', agent: 'backend-dev', files: ['two.txt'], estimateMinutes: 3 },
    { id: 'three', title: 'Add three', agent: 'backend-dev', files: ['three.txt'], estimateMinutes: 3 },
    { id: 'big', title: 'Big job', agent: 'backend-dev', files: ['big.txt'], estimateMinutes: 60 },
    { id: 'design', title: 'Design', agent: 'architect', files: ['design.md'], estimateMinutes: 3 },
  ],
});

async function runBatched(answer: (taskIds: string[]) => { files: Record<string, string>; reported: string[] }) {
  directory = await mkdtemp(join(tmpdir(), 'qoder-orch-batch-'));
  const provider = new MockAgentProvider({
    complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : plan),
    runTask: (options) => {
      const ids = options.taskId.split('+');
      const { files, reported } = answer(ids);
      const results = reported.map((taskId) => ({ taskId, status: 'success', summary: `did ${taskId}`, filesChanged: [`${taskId}.txt`] }));
      return { type: 'success', files, usage: { inputTokens: 300, outputTokens: 90 }, costUsd: 0.03, text: `\`\`\`json\n${JSON.stringify({ results })}\n\`\`\`` };
    },
  });
  const orchestrator = createOrchestrator({
    projectDir: directory,
    provider,
    runStore: new MemoryRunStore(),
    // The checks are inline `node -e` scripts, which the command policy refuses unless allowed.
    config: { execution: { maxParallel: 2, maxIterations: 1, enableBatchProcessing: true, batchMaxTasks: 3 }, validation: { commandPolicy: { mode: 'refuse', allow: ['node -e **'] } } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => events.push(event));
  return { summary: await orchestrator.run('Add numbers'), provider, events };
}

describe('batch processing', () => {
  it('sends small same-agent tasks with disjoint files to one invocation; each keeps its own result and checks', async () => {
    const { summary, provider } = await runBatched((ids) => ({
      files: Object.fromEntries(ids.map((id) => [`${id}.txt`, id])),
      reported: ids,
    }));
    const invocations = provider.calls.runTask.map((call) => call.taskId).sort();
    expect(invocations).toEqual(['big', 'design', 'one+two+three']);
    const batchCall = provider.calls.runTask.find((call) => call.taskId === 'one+two+three')!;
    expect(batchCall.prompt.startsWith(`${TASK_PROMPT_MARKER}s one two three]`)).toBe(true);
    expect(batchCall.prompt).toContain('# Task two');
    const byId = new Map(summary.results.map((result) => [result.taskId, result]));
    for (const id of ['one', 'two', 'three']) {
      expect(byId.get(id)).toMatchObject({ status: 'completed', summary: `did ${id}`, usage: { inputTokens: 100, outputTokens: 30 } });
      expect(byId.get(id)!.costUsd).toBeCloseTo(0.01, 10);
    }
    expect(byId.get('one')!.verification).toEqual([expect.objectContaining({ passed: true })]);
    expect(new Set([byId.get('one')!.slot, byId.get('two')!.slot, byId.get('three')!.slot]).size).toBe(1);
    expect(summary.status).toBe('met');
    expect(await readFile(join(directory!, 'three.txt'), 'utf8')).toBe('three');
  });

  it('fails a task the batch answer says nothing about, and checks each task on its own', async () => {
    const { summary } = await runBatched((ids) => ({
      files: Object.fromEntries(ids.filter((id) => id !== 'one').map((id) => [`${id}.txt`, id])),
      reported: ids.filter((id) => id !== 'two'),
    }));
    const byId = new Map(summary.results.map((result) => [result.taskId, result]));
    expect(byId.get('one')).toMatchObject({ status: 'failed', error: { code: 'VERIFICATION_FAILED' } });
    expect(byId.get('two')).toMatchObject({ status: 'failed', summary: expect.stringContaining('did not report') });
    expect(byId.get('three')?.status).toBe('completed');
    expect(summary.status).toBe('not-met');
  });
});
