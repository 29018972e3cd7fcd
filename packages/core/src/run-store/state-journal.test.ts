import { appendFile, copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileRunStore } from './file-run-store';
import { type RunState, RunStateSchema } from './run-state';
import { type RunStateChange, applyRunStateChange } from './run-state-change';
import { STATE_JOURNAL } from './state-journal';
import { sampleRunState } from '../test/run-store-conformance';

const directories: string[] = [];
const temporaryDirectory = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-journal-'));
  directories.push(directory);
  return directory;
};
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

const plan = (id: string) => ({ objective: 'o', summary: id, tasks: [{ id, title: `Task ${id}`, description: '', agent: 'backend-dev', dependsOn: [], files: [], acceptance: [], verify: [], estimateMinutes: 1 }] });

/** Changes of every kind, as a run makes them: tasks replaced, fields set and removed, items appended. */
function changes(runId: string): RunStateChange[] {
  return [
    { runId, tasks: { a: { status: 'pending', attempts: 0, iteration: 1 }, b: { status: 'pending', attempts: 0, iteration: 1 } }, set: { iteration: 1, baseCommit: 'abc' }, append: { plans: [plan('first')] } },
    { runId, tasks: { a: { status: 'running', attempts: 1, iteration: 1, checkpoint: 'c1' } }, set: { lastSeq: 4, updatedAt: '2026-01-01T00:00:01.000Z' } },
    { runId, tasks: { a: { status: 'completed', attempts: 1, iteration: 1 } }, set: { overheadUsage: { inputTokens: 5, outputTokens: 6 }, overheadCostUsd: 0.5 } },
    { runId, append: { verdicts: [{ isMet: false, reasoning: 'more', criteria: [], followUpTasks: [], basis: 'evidence' }], commandReviews: [] }, unset: ['baseCommit'] },
    { runId, tasks: { b: { status: 'failed', attempts: 2, iteration: 1 } }, set: { status: 'not-met', activeMs: 1234 } },
  ];
}

describe('FileRunStore state journal', () => {
  it('reads back the live state: the snapshot with every change applied in order, in this process and in a new one', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    const live: RunState = sampleRunState('run-j');
    await store.createRun(live);
    for (const change of changes('run-j')) {
      applyRunStateChange(live, structuredClone(change));
      await store.appendStateChange(change);
      expect(await store.readState('run-j')).toEqual(RunStateSchema.parse(live));
    }
    expect(await new FileRunStore({ directory }).readState('run-j')).toEqual(RunStateSchema.parse(live));
    expect(live.baseCommit).toBeUndefined();
    expect(live.plans).toHaveLength(1);
    // Only the changes are in the journal: a line each.
    expect((await readFile(join(directory, 'run-j', STATE_JOURNAL), 'utf8')).trim().split('\n')).toHaveLength(5);
  });

  it('empties the journal on a snapshot and numbers records on from the snapshot in a new process', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    const live = sampleRunState('run-s');
    await store.createRun(live);
    const [first, second, third] = changes('run-s');
    for (const change of [first!, second!]) {
      applyRunStateChange(live, structuredClone(change));
      await store.appendStateChange(change);
    }
    await store.writeState(live);
    expect(await readFile(join(directory, 'run-s', STATE_JOURNAL), 'utf8')).toBe('');
    expect(JSON.parse(await readFile(join(directory, 'run-s', 'state.json'), 'utf8'))).toMatchObject({ journalSeq: 2 });
    const resumed = new FileRunStore({ directory });
    applyRunStateChange(live, structuredClone(third!));
    await resumed.appendStateChange(third!);
    expect((await readFile(join(directory, 'run-s', STATE_JOURNAL), 'utf8')).startsWith('{"seq":3,')).toBe(true);
    expect(await new FileRunStore({ directory }).readState('run-s')).toEqual(RunStateSchema.parse(live));
  });

  it('killed between the snapshot and emptying the journal: the records the snapshot holds are not applied twice, later ones are', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    const live = sampleRunState('run-k');
    await store.createRun(live);
    const all = changes('run-k');
    for (const change of all.slice(0, 4)) {
      applyRunStateChange(live, structuredClone(change));
      await store.appendStateChange(change);
    }
    const journal = join(directory, 'run-k', STATE_JOURNAL);
    await copyFile(journal, `${journal}.before`);
    await store.writeState(live);
    // The kill: the snapshot is on disk, the journal it holds was never emptied.
    await copyFile(`${journal}.before`, journal);
    await rm(`${journal}.before`);
    const afterKill = new FileRunStore({ directory });
    const read = await afterKill.readState('run-k');
    // Appended lists would have grown twice had the journal been applied again.
    expect(read).toEqual(RunStateSchema.parse(live));
    expect(read?.plans).toHaveLength(1);
    expect(read?.verdicts).toHaveLength(1);
    // The resumed process numbers its records after both, so its change is applied.
    applyRunStateChange(live, structuredClone(all[4]!));
    await afterKill.appendStateChange(all[4]!);
    expect(await new FileRunStore({ directory }).readState('run-k')).toEqual(RunStateSchema.parse(live));
  });

  it('ignores a torn last line (a process killed mid-append) and cuts it off before appending again', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    const live = sampleRunState('run-t');
    await store.createRun(live);
    const [first, second] = changes('run-t');
    applyRunStateChange(live, structuredClone(first!));
    await store.appendStateChange(first!);
    const journal = join(directory, 'run-t', STATE_JOURNAL);
    await appendFile(journal, '{"seq":2,"tasks":{"a":{"status":"comp');
    expect(await new FileRunStore({ directory }).readState('run-t')).toEqual(RunStateSchema.parse(live));
    const resumed = new FileRunStore({ directory });
    applyRunStateChange(live, structuredClone(second!));
    await resumed.appendStateChange(second!);
    expect(await new FileRunStore({ directory }).readState('run-t')).toEqual(RunStateSchema.parse(live));
    expect(await readFile(journal, 'utf8')).not.toContain('"comp{');
  });

  it('refuses a journal corrupted in the middle', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    await store.createRun(sampleRunState('run-c'));
    const [first] = changes('run-c');
    await store.appendStateChange(first!);
    const journal = join(directory, 'run-c', STATE_JOURNAL);
    await writeFile(journal, `not a record\n${await readFile(journal, 'utf8')}`);
    await expect(new FileRunStore({ directory }).readState('run-c')).rejects.toMatchObject({ code: 'RUN_STORE_ERROR' });
  });

  it('refuses an invalid change before writing anything', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    await store.createRun(sampleRunState('run-i'));
    await expect(store.appendStateChange({ runId: 'run-i', tasks: { a: { status: 'flying' } as never } })).rejects.toThrow();
    await expect(store.appendStateChange({ runId: 'run-i', set: { tasks: {} } as never })).rejects.toMatchObject({ code: 'RUN_STORE_ERROR' });
    expect((await readdir(join(directory, 'run-i'))).sort()).toEqual(['events.ndjson', 'state.json']);
  });
});
