import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretRedactor } from '@qoder-orch/spec';
import type { TaskResult } from '@qoder-orch/spec';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FileRunStore } from '../run-store/file-run-store';
import { MemoryRunStore } from '../run-store/memory-run-store';
import { redactingRunStore } from '../run-store/redacting-run-store';
import { type RunState, RunStateSchema } from '../run-store/run-state';
import type { RunStore } from '../run-store/run-store';
import { STATE_JOURNAL } from '../run-store/state-journal';
import { sampleRunState } from '../test/run-store-conformance';
import { createStateWriter } from './state-writer';

/**
 * Bytes written to files under `under` (whole writes and appends), as the run store writes
 * them. There, syncs return at once: this counts bytes, and thousands of fsyncs only cost time.
 */
const written = vi.hoisted(() => ({ under: '\0', bytes: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const size = (data: unknown) => (typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength);
  const open = async (...args: Parameters<typeof real.open>) => {
    const handle = await real.open(...args);
    if (!String(args[0]).startsWith(written.under)) return handle;
    return new Proxy(handle, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property === 'writeFile') {
          return (data: unknown) => {
            written.bytes += size(data);
            return target.writeFile(data as string);
          };
        }
        if (property === 'sync' || property === 'datasync') return async () => {};
        return typeof value === 'function' ? (value as (...parameters: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  const appendFile = (...args: Parameters<typeof real.appendFile>) => {
    if (String(args[0]).startsWith(written.under)) written.bytes += size(args[1]);
    return real.appendFile(...args);
  };
  return { ...real, open, appendFile, default: { ...real, open, appendFile } };
});

const directories: string[] = [];
const temporaryDirectory = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-writer-'));
  directories.push(directory);
  return directory;
};
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

const task = (id: string) => ({ id, title: `Task ${id}`, description: `Do ${id}`, agent: 'backend-dev', dependsOn: [], files: [`src/${id}.ts`], acceptance: [], verify: [], estimateMinutes: 5 });
const resultOf = (taskId: string, summary = `Changed src/${taskId}.ts as asked; the checks pass.`): TaskResult => ({
  taskId,
  agent: 'backend-dev',
  iteration: 1,
  status: 'completed',
  attempts: 1,
  durationMs: 12,
  summary,
  agentClaimedSuccess: true,
  usage: { inputTokens: 100, outputTokens: 50 },
  costUsd: 0.001,
  verification: [],
  filesChanged: [`src/${taskId}.ts`],
});

/**
 * What a run does to its state, through a writer: per iteration of `perIteration` tasks, the
 * plan and its tasks (pending), then each task running and completed with a result (each
 * saved on its own, as the task pipeline does), then the verdict.
 */
async function simulateRun(store: RunStore, state: RunState, size: number, perIteration = 500, options: { summary?: (taskId: string) => string; isEnded?: boolean } = {}): Promise<void> {
  let seq = 0;
  const writer = createStateWriter(store, state, () => {
    seq += 1;
    state.lastSeq = seq;
    state.updatedAt = new Date(1_700_000_000_000 + seq).toISOString();
  });
  await store.createRun(state);
  for (let start = 0; start < size; start += perIteration) {
    const ids = Array.from({ length: Math.min(perIteration, size - start) }, (_, index) => `t${start + index}`);
    state.iteration += 1;
    state.plans.push({ objective: state.objective, summary: `iteration ${state.iteration}`, tasks: ids.map(task) });
    for (const id of ids) state.tasks[id] = { status: 'pending', attempts: 0, iteration: state.iteration };
    await writer.save();
    for (const id of ids) {
      state.tasks[id] = { ...state.tasks[id]!, status: 'running', attempts: 1, checkpoint: `refs/checkpoints/${id}` };
      await writer.save(id);
      state.tasks[id] = { ...state.tasks[id]!, status: 'completed', result: resultOf(id, options.summary?.(id)) };
      await writer.save(id);
    }
    state.overheadUsage = { inputTokens: state.overheadUsage.inputTokens + 10, outputTokens: 5 };
    state.verdicts.push({ isMet: false, reasoning: `iteration ${state.iteration} done`, criteria: [], followUpTasks: [], basis: 'evidence' });
    await writer.save();
  }
  // The end of a run: a snapshot.
  if (options.isEnded !== false) await writer.snapshot();
}

describe('state writer', () => {
  it('writes only what changed, and the journal read back equals the live state', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    const state = sampleRunState('run-live', { iteration: 0, baseCommit: 'base' });
    await simulateRun(store, state, 60, 25);
    // Changes made in place, not through a hint: a replaced list, a removed field, a changed object.
    state.commandReviews = [{ taskId: 't1', command: ['npm', 'test'], classification: 'allowed', isAllowed: true, reason: 'the project script' }];
    delete state.baseCommit;
    state.status = 'not-met';
    const writer = createStateWriter(store, state, () => {});
    await writer.save();
    state.commandReviews.push({ taskId: 't2', command: ['npm', 'run', 'lint'], classification: 'allowed', isAllowed: true, reason: 'the project script' });
    state.tasks.t3 = { ...state.tasks.t3!, status: 'failed' };
    await writer.save();
    const journal = await readFile(join(directory, 'run-live', STATE_JOURNAL), 'utf8');
    expect(journal.trim().split('\n').length).toBeGreaterThan(0);
    expect(await new FileRunStore({ directory }).readState('run-live')).toEqual(RunStateSchema.parse(state));
  });

  it('keeps the journal about as big as the state: a snapshot once the changes since the last one are as big', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    const state = sampleRunState('run-size', { iteration: 0 });
    await simulateRun(store, state, 400, 200, { isEnded: false });
    const snapshotBytes = Buffer.byteLength(await readFile(join(directory, 'run-size', 'state.json'), 'utf8'));
    const journalBytes = Buffer.byteLength(await readFile(join(directory, 'run-size', STATE_JOURNAL), 'utf8'));
    expect(journalBytes).toBeLessThan(Math.max(snapshotBytes, 200_000));
    expect(await new FileRunStore({ directory }).readState('run-size')).toEqual(RunStateSchema.parse(state));
  });

  it('a run of 2 000 tasks writes O(n) bytes of state, not O(n²): four times the tasks, about four times the bytes', async () => {
    const bytesFor = async (size: number) => {
      const directory = await temporaryDirectory();
      written.under = directory;
      written.bytes = 0;
      await simulateRun(new FileRunStore({ directory }), sampleRunState(`run-${size}`, { iteration: 0 }), size);
      written.under = '\0';
      return written.bytes;
    };
    const small = (await bytesFor(500)) / 500;
    const large = (await bytesFor(2000)) / 2000;
    // Linear: about the same bytes per task (whole-state writes were 4x per task at 4x the tasks: each write carried all of them).
    expect(large / small).toBeLessThan(1.5);
  }, 120_000);

  it('redacts secrets in journal records', async () => {
    const directory = await temporaryDirectory();
    const secret = 'sk-live-0123456789abcdefghij';
    const store = redactingRunStore(new FileRunStore({ directory }), createSecretRedactor([secret]));
    const state = sampleRunState('run-secret', { iteration: 0 });
    await simulateRun(store, state, 20, 20, { summary: (taskId) => `${taskId} printed the key ${secret} while it worked`, isEnded: false });
    const journal = await readFile(join(directory, 'run-secret', STATE_JOURNAL), 'utf8');
    expect(journal).toContain('[REDACTED]');
    expect(journal).not.toContain(secret);
    expect(await readFile(join(directory, 'run-secret', 'state.json'), 'utf8')).not.toContain(secret);
  });

  it('gives a store without appendStateChange the whole state every time', async () => {
    const inner = new MemoryRunStore();
    const writes: number[] = [];
    const store: RunStore = {
      createRun: (state) => inner.createRun(state),
      appendEvent: (runId, event) => inner.appendEvent(runId, event),
      writeState: (state) => (writes.push(Object.keys(state.tasks).length), inner.writeState(state)),
      readState: (runId) => inner.readState(runId),
      readEvents: (runId) => inner.readEvents(runId),
      writePlan: (runId, plan) => inner.writePlan(runId, plan),
      listRuns: () => inner.listRuns(),
      writeArtifact: (runId, name, content) => inner.writeArtifact(runId, name, content),
      appendArtifact: (runId, name, content) => inner.appendArtifact(runId, name, content),
      readArtifact: (runId, name) => inner.readArtifact(runId, name),
      flush: () => inner.flush(),
    };
    const state = sampleRunState('run-whole', { iteration: 0 });
    await simulateRun(store, state, 10, 10);
    // After the plan, per task (running, completed), after the verdict, at the end.
    expect(writes).toHaveLength(1 + 10 * 2 + 1 + 1);
    expect(await inner.readState('run-whole')).toEqual(RunStateSchema.parse(state));
  });

  it('writes the whole state after a failed change, so nothing the store missed stays missing', async () => {
    const inner = new MemoryRunStore();
    let isFailing = false;
    const wholeWrites: string[] = [];
    const store = new Proxy(inner, {
      get(target, property) {
        if (property === 'appendStateChange') return (change: Parameters<MemoryRunStore['appendStateChange']>[0]) => (isFailing ? Promise.reject(new Error('disk full')) : target.appendStateChange(change));
        if (property === 'writeState') return (state: RunState) => (wholeWrites.push(state.status), target.writeState(state));
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...parameters: unknown[]) => unknown).bind(target) : value;
      },
    });
    const state = sampleRunState('run-fail', { tasks: { a: { status: 'pending', attempts: 0, iteration: 1 } } });
    await store.createRun(state);
    const writer = createStateWriter(store, state, () => {});
    await writer.save();
    expect(wholeWrites).toHaveLength(1);
    isFailing = true;
    state.tasks.a = { status: 'running', attempts: 1, iteration: 1 };
    await expect(writer.save('a')).rejects.toThrow('disk full');
    isFailing = false;
    state.status = 'failed';
    await writer.save();
    expect(wholeWrites).toEqual(['running', 'failed']);
    expect(await inner.readState('run-fail')).toMatchObject({ status: 'failed', tasks: { a: { status: 'running' } } });
  });
});
