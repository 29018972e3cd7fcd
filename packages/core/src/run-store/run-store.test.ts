import { chmod, mkdtemp, readFile, appendFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileRunStore, MemoryRunStore, OrchestratorError } from '../index';
import { describeRunStoreConformance, sampleRunState } from '../test/index';

const directories: string[] = [];
const temporaryDirectory = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-store-'));
  directories.push(directory);
  return directory;
};
afterAll(async () => {
  for (const directory of directories) {
    await chmod(directory, 0o755).catch(() => {});
    await rm(directory, { recursive: true, force: true });
  }
});

describeRunStoreConformance('MemoryRunStore', () => new MemoryRunStore());
describeRunStoreConformance('FileRunStore', async () => new FileRunStore({ directory: await temporaryDirectory() }));

describe('FileRunStore files', () => {
  it('ignores a torn last event line (a killed process) but refuses corruption in the middle', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    await store.createRun(sampleRunState('run-1'));
    await store.appendEvent('run-1', { type: 'warning', runId: 'run-1', seq: 1, timestamp: 't', code: 'X', message: 'ok' });
    await appendFile(join(directory, 'run-1', 'events.ndjson'), '{"type":"warn');
    expect(await store.readEvents('run-1')).toHaveLength(1);
    await appendFile(join(directory, 'run-1', 'events.ndjson'), '\n{"type":"warning"}\n');
    await expect(store.readEvents('run-1')).rejects.toMatchObject({ code: 'RUN_STORE_ERROR' });
  });

  it('cuts a torn last line off before appending again (a resumed run after a kill), so the log stays readable', async () => {
    const directory = await temporaryDirectory();
    await new FileRunStore({ directory }).createRun(sampleRunState('run-torn'));
    const path = join(directory, 'run-torn', 'events.ndjson');
    await appendFile(path, '{"type":"warning","seq":1}\n{"type":"warn');
    // A new store, as in the resumed process.
    const store = new FileRunStore({ directory });
    await store.appendEvent('run-torn', { type: 'warning', runId: 'run-torn', seq: 2, timestamp: 't', code: 'X', message: 'after' });
    expect((await store.readEvents('run-torn')).map((event) => event.seq)).toEqual([1, 2]);
    expect(await readFile(path, 'utf8')).not.toContain('{"type":"warn{');
  });

  it('rejects a state file that is not a valid state, and leaves no temporary files behind', async () => {
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    await store.createRun(sampleRunState('run-2'));
    for (let index = 0; index < 5; index += 1) await store.writeState(sampleRunState('run-2', { iteration: index }));
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(join(directory, 'run-2'))).sort()).toEqual(['events.ndjson', 'state.json']);
    await writeFile(join(directory, 'run-2', 'state.json'), '{"version": 2}');
    await expect(store.readState('run-2')).rejects.toMatchObject({ code: 'RUN_STORE_ERROR' });
  });

  it('gives a clear error for an unwritable run folder and keeps the old state whole', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes; simulate an unwritable folder with a file in its place.
      const directory = await temporaryDirectory();
      await writeFile(join(directory, 'blocked'), 'not a folder');
      const store = new FileRunStore({ directory: join(directory, 'blocked') });
      const error = await store.createRun(sampleRunState('run-3')).catch((caught: unknown) => caught);
      expect(OrchestratorError.isInstance(error) && error.code).toBe('RUN_STORE_ERROR');
      expect((error as Error).message).toContain('Cannot create the run folder');
      return;
    }
    const directory = await temporaryDirectory();
    const store = new FileRunStore({ directory });
    await store.createRun(sampleRunState('run-3'));
    await chmod(join(directory, 'run-3'), 0o500);
    await expect(store.writeState(sampleRunState('run-3', { iteration: 9 }))).rejects.toMatchObject({ code: 'RUN_STORE_ERROR' });
    await chmod(join(directory, 'run-3'), 0o755);
    expect(JSON.parse(await readFile(join(directory, 'run-3', 'state.json'), 'utf8')).iteration).toBe(1);
  });

  it('refuses run ids and artifact names that would leave its folder', async () => {
    const store = new FileRunStore({ directory: await temporaryDirectory() });
    await expect(store.readState('../etc')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await store.createRun(sampleRunState('run-4'));
    await expect(store.writeArtifact('run-4', '../../escape.txt', 'x')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_PROJECT' });
  });
});
