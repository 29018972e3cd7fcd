import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runExample } from './run-example';

describe('examples/basic-script', () => {
  it('runs the objective to "met" with backend and frontend in parallel and a real check', async () => {
    const { summary, events, projectDir } = await runExample();
    try {
      expect(summary).toMatchObject({ status: 'met', iterations: 1, tasks: { total: 4, completed: 4 } });
      const slots = new Map(summary.results.map((result) => [result.taskId, result.slot]));
      expect(new Set([slots.get('backend'), slots.get('frontend')])).toEqual(new Set([0, 1]));
      const qa = summary.results.find((result) => result.taskId === 'tests')!;
      expect(qa.verification).toEqual([expect.objectContaining({ command: ['node', 'check.js'], passed: true, outputTail: expect.stringContaining('agree on /health') })]);
      expect(events.at(-1)?.type).toBe('run-end');
    } finally {
      await rm(projectDir, { recursive: true, force: true });
    }
  });
});
