import { MemoryRunStore, secretValuesFrom, type EventEnvelope } from '@qoder-orch/core';
import { sampleRunState } from '@qoder-orch/core/test';
import { describe, expect, it } from 'vitest';
import { ORCHESTRATION_LOG, OrchestrationLog } from '../index';
import { RUN_ID, sampleRunEvents } from '../testing/sample-run-events';

describe('OrchestrationLog', () => {
  it('writes one line per event with the full payload to orchestration.log in the run folder', async () => {
    const runStore = new MemoryRunStore();
    await runStore.createRun(sampleRunState(RUN_ID));
    const log = new OrchestrationLog({ runStore, secretValues: [] });
    const events = sampleRunEvents();
    for (const event of events) log.handle(event);
    await log.flush();
    const text = (await runStore.readArtifact(RUN_ID, ORCHESTRATION_LOG))!;
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(events.length);
    expect(lines[0]).toMatch(/^2026-11-25T17:45:12\.000Z #1 run-start \{"objective":/);
    const taskEnd = lines.find((line) => line.includes(' task-end backend-due-dates'))!;
    expect(taskEnd).toContain('completed after 2 attempt(s)');
    expect(taskEnd).toContain('"outputTail":"not ok 3 - rejects an invalid dueDate\\n# fail 1"');
  });

  it('never writes secrets: environment tokens and keys are redacted', async () => {
    const runStore = new MemoryRunStore();
    await runStore.createRun(sampleRunState(RUN_ID));
    const env = { QODER_PERSONAL_ACCESS_TOKEN: 'qpat-abcdefghijklmnop', ANTHROPIC_API_KEY: 'sk-ant-api03-abcdefghijklmnopqrstuv', HOME: '/root' };
    const log = new OrchestrationLog({ runStore, secretValues: secretValuesFrom(env) });
    const leak: EventEnvelope = {
      type: 'task-output',
      runId: RUN_ID,
      seq: 7,
      timestamp: '2026-11-25T17:45:20.000Z',
      taskId: 'backend-due-dates',
      event: { type: 'tool-result', toolCallId: 't1', isError: false, output: `env: QODER_PERSONAL_ACCESS_TOKEN=${env.QODER_PERSONAL_ACCESS_TOKEN} key ${env.ANTHROPIC_API_KEY} home /root` },
    };
    log.handle(leak);
    log.note('2026-11-25T17:45:21.000Z', `failed with token ${env.QODER_PERSONAL_ACCESS_TOKEN}`);
    await log.flush();
    const text = (await runStore.readArtifact(RUN_ID, ORCHESTRATION_LOG))!;
    expect(text).not.toContain(env.QODER_PERSONAL_ACCESS_TOKEN);
    expect(text).not.toContain(env.ANTHROPIC_API_KEY);
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('home /root');
    expect(text.trimEnd().split('\n')).toHaveLength(2);
  });

  it('reports a store that cannot be written on flush without throwing from handle', async () => {
    const runStore = new MemoryRunStore();
    await runStore.createRun(sampleRunState(RUN_ID));
    runStore.appendArtifact = async () => {
      throw new Error('disk full');
    };
    const log = new OrchestrationLog({ runStore, secretValues: [] });
    expect(() => log.handle(sampleRunEvents()[0]!)).not.toThrow();
    await expect(log.flush()).rejects.toThrow('disk full');
  });
});
