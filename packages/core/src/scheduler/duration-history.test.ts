import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DurationHistory, Scheduler, type Task, TaskSchema, createDurationHistory, longestRemainingPath } from '../index';
import { DurationHistoryFileSchema, sizeBucket } from './duration-history';

const task = (id: string, options: Partial<Task> = {}): Task => TaskSchema.parse({ id, title: id, agent: 'backend-dev', ...options });
const minutes = (value: number) => value * 60_000;

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});
const temporaryFile = async (name = 'durations.json') => {
  const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-durations-'));
  directories.push(directory);
  return join(directory, name);
};

async function recordAll(history: DurationHistory, entries: Array<[Task, number]>) {
  for (const [recorded, durationMs] of entries) await history.record(recorded, durationMs);
}

describe('createDurationHistory', () => {
  it("uses the plan's estimate until an agent has enough samples", async () => {
    const history = await createDurationHistory({ minSamples: 3 });
    const estimate = history.estimator();
    const probe = task('probe', { estimateMinutes: 10 });
    expect(estimate(probe)).toBe(10);
    await recordAll(history, [
      [task('a', { estimateMinutes: 10 }), minutes(40)],
      [task('b', { estimateMinutes: 10 }), minutes(40)],
    ]);
    expect(estimate(probe)).toBe(10);
    await history.record(task('c', { estimateMinutes: 10 }), minutes(40));
    // Three samples say 4×; shrunk towards 1 by two samples of prior: 4^(3/5).
    expect(estimate(probe)).toBeCloseTo(10 * 4 ** (3 / 5), 6);
    expect(history.correctionFor(probe)).toBeCloseTo(4 ** (3 / 5), 6);
  });

  it('learns per agent: another agent keeps its plan estimate', async () => {
    const history = await createDurationHistory({ minSamples: 2, priorWeight: 0 });
    await recordAll(history, [
      [task('a', { agent: 'frontend-dev', estimateMinutes: 10 }), minutes(30)],
      [task('b', { agent: 'frontend-dev', estimateMinutes: 10 }), minutes(30)],
    ]);
    const estimate = history.estimator();
    expect(estimate(task('x', { agent: 'frontend-dev', estimateMinutes: 20 }))).toBeCloseTo(60, 6);
    expect(estimate(task('y', { agent: 'backend-dev', estimateMinutes: 20 }))).toBe(20);
  });

  it('is robust to an outlier (median, not mean)', async () => {
    const history = await createDurationHistory({ minSamples: 3, priorWeight: 0 });
    await recordAll(history, [
      [task('a', { estimateMinutes: 10 }), minutes(20)],
      [task('b', { estimateMinutes: 10 }), minutes(20)],
      [task('c', { estimateMinutes: 10 }), minutes(2000)],
    ]);
    expect(history.correctionFor(task('p', { estimateMinutes: 10 }))).toBeCloseTo(2, 6);
  });

  it('prefers the size bucket when it has enough samples, else falls back to the whole agent', async () => {
    const history = await createDurationHistory({ minSamples: 2, priorWeight: 0 });
    const small = { estimateMinutes: 5 };
    const large = { estimateMinutes: 200, files: ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts'] };
    expect(sizeBucket(task('s', small))).not.toBe(sizeBucket(task('l', large)));
    await recordAll(history, [
      [task('s1', small), minutes(5 * 3)],
      [task('s2', small), minutes(5 * 3)],
      [task('l1', large), minutes(200 * 0.5)],
      [task('l2', large), minutes(200 * 0.5)],
    ]);
    expect(history.correctionFor(task('s3', small))).toBeCloseTo(3, 6);
    expect(history.correctionFor(task('l3', large))).toBeCloseTo(0.5, 6);
    // A bucket with no samples of its own: the agent's median over all four (0.5, 0.5, 3, 3) → 1.75.
    const medium = task('m', { estimateMinutes: 30, files: ['x.ts'] });
    expect(history.correctionFor(medium)).toBeCloseTo(1.75, 6);
  });

  it('keeps only the most recent samples per bucket', async () => {
    const history = await createDurationHistory({ minSamples: 1, maxSamplesPerBucket: 2, priorWeight: 0 });
    await recordAll(history, [
      [task('a', { estimateMinutes: 10 }), minutes(100)],
      [task('b', { estimateMinutes: 10 }), minutes(10)],
      [task('c', { estimateMinutes: 10 }), minutes(10)],
    ]);
    expect(history.correctionFor(task('p', { estimateMinutes: 10 }))).toBeCloseTo(1, 6);
    expect(Object.values(history.snapshot().agents['backend-dev']!).flat()).toHaveLength(2);
  });

  it('persists to its file and a new history loads it', async () => {
    const file = await temporaryFile();
    const first = await createDurationHistory({ file, minSamples: 2, priorWeight: 0 });
    await Promise.all([first.record(task('a', { estimateMinutes: 10 }), minutes(25)), first.record(task('b', { estimateMinutes: 10 }), minutes(25)), first.record(task('c', { agent: 'tester', estimateMinutes: 10 }), minutes(5))]);
    await first.flush();
    const stored = DurationHistoryFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(Object.values(stored.agents['backend-dev']!).flat()).toHaveLength(2);
    expect(Object.values(stored.agents.tester!).flat()).toHaveLength(1);
    const second = await createDurationHistory({ file, minSamples: 2, priorWeight: 0 });
    expect(second.correctionFor(task('p', { estimateMinutes: 10 }))).toBeCloseTo(2.5, 6);
    expect(second.snapshot()).toEqual(first.snapshot());
  });

  it('creates the directory of its file', async () => {
    const file = join(await temporaryFile(), '..', 'nested', 'deeper', 'durations.json');
    const history = await createDurationHistory({ file });
    await history.record(task('a'), 1000);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });
  });

  it.each([
    ['not JSON', '{"version": 1, "agents": {'],
    ['the wrong shape', JSON.stringify({ version: 1, agents: { 'backend-dev': { 'm15-f0': [{ estimateMinutes: -1, durationMs: 5 }] } } })],
    ['another version', JSON.stringify({ version: 2, agents: {} })],
  ])('starts fresh with a warning when the file is %s, and repairs it on the next record', async (_, content) => {
    const file = await temporaryFile();
    await writeFile(file, content);
    const history = await createDurationHistory({ file });
    const warnings: Array<{ code: string; message: string }> = history.takeWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'DURATION_HISTORY_CORRUPT' });
    expect(warnings[0]!.message).toContain(file);
    expect(history.snapshot()).toEqual({ version: 1, agents: {} });
    await history.record(task('a'), 1000);
    expect(DurationHistoryFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8'))).success).toBe(true);
  });

  it('treats a missing file as an empty history without a warning', async () => {
    const history = await createDurationHistory({ file: await temporaryFile('absent.json') });
    const warnings: unknown[] = history.takeWarnings();
    expect(warnings).toEqual([]);
    expect(history.snapshot().agents).toEqual({});
  });

  it('reports a save that fails instead of throwing', async () => {
    const blocker = await temporaryFile('a-file');
    await writeFile(blocker, 'not a directory');
    const history = await createDurationHistory({ file: join(blocker, 'durations.json') });
    await history.record(task('a'), 1000);
    const warnings: Array<{ code: string }> = history.takeWarnings();
    // Its path cannot be read either (a file stands where a directory should be): both are reported.
    expect(warnings.map((warning) => warning.code)).toEqual(['DURATION_HISTORY_CORRUPT', 'DURATION_HISTORY_WRITE']);
    expect(Object.keys(history.snapshot().agents)).toEqual(['backend-dev']);
  });

  it('rejects durations and options that make no sense', async () => {
    const history = await createDurationHistory();
    await expect(history.record(task('a'), -5)).rejects.toThrow(RangeError);
    await expect(history.record(task('a'), Number.NaN)).rejects.toThrow(RangeError);
    await expect(history.record({ ...task('a'), estimateMinutes: 0 }, 1000)).rejects.toThrow(RangeError);
    await expect(createDurationHistory({ minSamples: 0 })).rejects.toThrow(RangeError);
    await expect(createDurationHistory({ priorWeight: -1 })).rejects.toThrow(RangeError);
    expect(history.snapshot().agents).toEqual({});
  });

  it('changes what the Scheduler starts first once it has learned an agent is slow', async () => {
    // Two independent tasks, one slot: by the plan, `quick` (20 min) looks longer than `slow` (10 min).
    const tasks = [task('quick', { agent: 'frontend-dev', estimateMinutes: 20 }), task('slow', { agent: 'backend-dev', estimateMinutes: 10 })];
    const history = await createDurationHistory({ minSamples: 2, priorWeight: 0 });
    const runOnce = async () => {
      const scheduler = new Scheduler({ maxParallel: 1, executor: { execute: async () => 'completed' }, estimate: history.estimator() });
      return (await scheduler.run(tasks)).startOrder;
    };
    expect(await runOnce()).toEqual(['quick', 'slow']);
    await recordAll(history, [
      [task('b1', { estimateMinutes: 10 }), minutes(60)],
      [task('b2', { estimateMinutes: 10 }), minutes(60)],
    ]);
    expect(longestRemainingPath(tasks, history.estimator()).get('slow')).toBeCloseTo(60, 6);
    expect(await runOnce()).toEqual(['slow', 'quick']);
  });
});
