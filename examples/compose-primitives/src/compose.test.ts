import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { composePrimitives } from './compose';

// Real git worktrees and a real check process on a shared machine: a generous limit.
vi.setConfig({ testTimeout: 120_000 });

describe('examples/compose-primitives', () => {
  it('plans, schedules and runs every task through the pipeline, with no Orchestrator', async () => {
    const run = await composePrimitives();
    try {
      expect(run.plan.tasks.map((task) => task.id)).toEqual(['contract', 'backend', 'frontend', 'check']);
      expect(run.primitiveEvents.slice(0, 2)).toEqual(['planner:attempt:1', 'planner:plan:4']);
      expect(run.primitiveEvents.filter((event) => event.startsWith('scheduler:task-finish'))).toEqual(
        expect.arrayContaining(['scheduler:task-finish:contract:completed', 'scheduler:task-finish:backend:completed', 'scheduler:task-finish:frontend:completed', 'scheduler:task-finish:check:completed']),
      );
      expect(run.primitiveEvents.indexOf('scheduler:task-start:check')).toBeGreaterThan(run.primitiveEvents.indexOf('scheduler:task-finish:backend:completed'));
      expect(run.primitiveEvents.at(-1)).toBe('scheduler:idle');
      expect(Object.fromEntries(run.schedule.outcomes)).toEqual({ contract: 'completed', backend: 'completed', frontend: 'completed', check: 'completed' });
      expect([...run.results.values()].map((result) => [result.taskId, result.status])).toEqual(
        expect.arrayContaining([
          ['contract', 'completed'],
          ['backend', 'completed'],
          ['frontend', 'completed'],
          ['check', 'completed'],
        ]),
      );
      // Backend and frontend ran side by side, after the contract, before the check.
      const slots = new Set([run.results.get('backend')!.slot, run.results.get('frontend')!.slot]);
      expect(slots).toEqual(new Set([0, 1]));
      expect(run.schedule.startOrder[0]).toBe('contract');
      expect(run.schedule.startOrder.at(-1)).toBe('check');
      // The check ran in the check task's tree and again after its merge; its work is in the project.
      const check = run.results.get('check')!;
      expect(check.verification.map((entry) => [entry.phase, entry.passed])).toEqual([
        ['task', true],
        ['merge', true],
      ]);
      expect(check.verification[0]!.outputTail).toContain('agree on /health');
      expect(await readFile(join(run.projectDir, 'server.js'), 'utf8')).toContain('GET /health');

      // Each task was announced from start to finish, in order.
      for (const taskId of ['contract', 'backend', 'frontend', 'check']) {
        const names = run.events.filter((event) => 'taskId' in event.payload && event.payload.taskId === taskId).map((event) => event.name);
        expect(names[0]).toBe('task-start');
        expect(names).toContain('attempt');
        expect(names).toContain('merge');
        expect(names.at(-1)).toBe('task-finish');
      }
      expect(run.events.filter((event) => event.name === 'verify').map((event) => event.payload.taskId)).toEqual(['check']);
      expect(run.events.filter((event) => event.name === 'retry' || event.name === 'rollback' || event.name === 'warning')).toEqual([]);
    } finally {
      await run.cleanup();
    }
  });
});
