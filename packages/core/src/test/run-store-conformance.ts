import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../events/event-map';
import type { RunState } from '../run-store/run-state';
import type { RunStore } from '../run-store/run-store';

/** A minimal valid run state for store tests. */
export function sampleRunState(runId: string, overrides: Partial<RunState> = {}): RunState {
  return {
    version: 1,
    runId,
    objective: 'Add a health endpoint',
    projectDir: '/tmp/project',
    status: 'running',
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    iteration: 1,
    plans: [],
    tasks: {},
    verdicts: [],
    overheadUsage: { inputTokens: 0, outputTokens: 0 },
    overheadCostUsd: 0,
    lastSeq: 0,
    ...overrides,
  };
}

const warning = (runId: string, seq: number): EventEnvelope => ({
  type: 'warning',
  runId,
  seq,
  timestamp: new Date(1_700_000_000_000 + seq).toISOString(),
  code: 'TEST',
  message: `event ${seq}`,
});

/**
 * The behaviour every RunStore must have, as one vitest suite. Call it from a test file of
 * your own store: `describeRunStoreConformance('my store', async () => new MyStore())`.
 */
export function describeRunStoreConformance(name: string, createStore: () => Promise<RunStore> | RunStore): void {
  describe(`RunStore conformance: ${name}`, () => {
    it('round-trips a run state and reports an unknown run as undefined', async () => {
      const store = await createStore();
      const state = sampleRunState('run-a', { tasks: { t1: { status: 'completed', attempts: 1, iteration: 1 } } });
      await store.createRun(state);
      expect(await store.readState('run-a')).toEqual(state);
      expect(await store.readState('run-missing')).toBeUndefined();
    });

    it('replaces the state on write and keeps the copy it was given apart', async () => {
      const store = await createStore();
      const state = sampleRunState('run-b');
      await store.createRun(state);
      state.status = 'met';
      expect((await store.readState('run-b'))?.status).toBe('running');
      await store.writeState({ ...state, iteration: 2 });
      expect(await store.readState('run-b')).toMatchObject({ status: 'met', iteration: 2 });
    });

    it('keeps events append-only and in order, also when appended without awaiting', async () => {
      const store = await createStore();
      await store.createRun(sampleRunState('run-c'));
      const writes = Array.from({ length: 50 }, (_, index) => store.appendEvent('run-c', warning('run-c', index + 1)));
      await Promise.all(writes);
      const events = await store.readEvents('run-c');
      expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      expect(events[0]).toEqual(warning('run-c', 1));
    });

    it('stores the plan and artifacts, appends to artifacts, and lists runs newest first', async () => {
      const store = await createStore();
      await store.createRun(sampleRunState('run-old', { startedAt: '2026-01-01T00:00:00.000Z' }));
      await store.createRun(sampleRunState('run-new', { startedAt: '2026-02-01T00:00:00.000Z' }));
      await store.writePlan('run-new', { objective: 'x', summary: '', tasks: [] } as never);
      expect(JSON.parse((await store.readArtifact('run-new', 'plan.json'))!)).toMatchObject({ objective: 'x' });
      await store.appendArtifact('run-new', 'tasks/t1.log', 'one\n');
      await store.appendArtifact('run-new', 'tasks/t1.log', 'two\n');
      expect(await store.readArtifact('run-new', 'tasks/t1.log')).toBe('one\ntwo\n');
      await store.writeArtifact('run-new', 'report.html', '<html></html>');
      expect(await store.readArtifact('run-new', 'report.html')).toBe('<html></html>');
      expect(await store.readArtifact('run-new', 'missing.txt')).toBeUndefined();
      const runs = await store.listRuns();
      expect(runs.map((run) => run.runId).filter((id) => id === 'run-new' || id === 'run-old')).toEqual(['run-new', 'run-old']);
    });

    it('applies state changes after the last written state, in order, when the store takes them', async () => {
      const store = await createStore();
      if (!store.appendStateChange) return expect(store.appendStateChange).toBeUndefined();
      await store.createRun(sampleRunState('run-e', { tasks: { t1: { status: 'pending', attempts: 0, iteration: 1 } } }));
      await store.appendStateChange({ runId: 'run-e', tasks: { t1: { status: 'running', attempts: 1, iteration: 1 } }, set: { lastSeq: 3 } });
      await store.appendStateChange({ runId: 'run-e', tasks: { t2: { status: 'pending', attempts: 0, iteration: 1 } }, append: { verdicts: [{ isMet: false, reasoning: 'not yet', criteria: [], followUpTasks: [], basis: 'evidence' }] } });
      await store.appendStateChange({ runId: 'run-e', tasks: { t1: { status: 'completed', attempts: 1, iteration: 1 } }, set: { status: 'met' }, unset: ['baseCommit'] });
      expect(await store.readState('run-e')).toMatchObject({ status: 'met', lastSeq: 3, tasks: { t1: { status: 'completed' }, t2: { status: 'pending' } }, verdicts: [{ reasoning: 'not yet' }] });
      // A whole write replaces everything appended before it.
      await store.writeState(sampleRunState('run-e', { iteration: 7 }));
      await store.appendStateChange({ runId: 'run-e', set: { iteration: 8 } });
      expect(await store.readState('run-e')).toEqual(sampleRunState('run-e', { iteration: 8 }));
      await expect(store.appendStateChange({ runId: 'run-e', set: { runId: 'other' } as never })).rejects.toMatchObject({ code: 'RUN_STORE_ERROR' });
    });

    it('is durable after flush', async () => {
      const store = await createStore();
      await store.createRun(sampleRunState('run-d'));
      void store.appendEvent('run-d', warning('run-d', 1));
      await store.flush();
      expect(await store.readEvents('run-d')).toHaveLength(1);
    });
  });
}
