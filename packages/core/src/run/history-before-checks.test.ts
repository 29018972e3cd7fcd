import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurationHistory, createOrchestrator, type DurationHistory, FileRunStore, MemoryRunStore } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from '../git/testing/temporary-repository';
import { MockAgentProvider } from '../test/index';

const repositories: TemporaryRepository[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/**
 * A project check that watches `.qoder-orch/` while it runs (every 2 ms for 400 ms, as a test
 * runner walking the tree would meet it) and fails if a file there came and went: what Node 20's
 * `node --test` fails on. It writes what it saw to `report`.
 */
const WATCHING_CHECK = `
const fs = require('node:fs');
const [root, report] = process.argv.slice(2);
const list = () => { try { return fs.readdirSync(root, { recursive: true }).map(String); } catch { return []; } };
const seen = new Set();
const end = Date.now() + 400;
while (Date.now() < end) { for (const name of list()) seen.add(name); const t = Date.now() + 2; while (Date.now() < t); }
const last = new Set(list());
const gone = [...seen].filter((name) => !last.has(name));
fs.writeFileSync(report, JSON.stringify({ seen: seen.size, gone }));
process.exit(gone.length === 0 ? 0 : 1);
`;

describe("the run's own files and the judge's checks", () => {
  it('finishes saving the duration history (in the project) before the checks run there', async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const file = join(repository.root, '.qoder-orch', 'history', 'durations.json');
    const real = await createDurationHistory({ file });
    // A slow disk: the save lands well after the task ended.
    const slow: DurationHistory = {
      ...real,
      record: async (task, durationMs) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await real.record(task, durationMs);
      },
    };
    const provider = new MockAgentProvider({
      complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : JSON.stringify({ tasks: [{ id: 'one', title: 'Write notes', agent: 'backend-dev', files: ['notes.md'] }] })),
      runTask: { one: [{ type: 'success', delayMs: 5, files: { 'notes.md': '# Notes\n' } }] },
    });
    const orchestrator = createOrchestrator({
      projectDir: repository.root,
      provider,
      runStore: new MemoryRunStore(),
      durationHistory: slow,
      config: {
        // The project's checks see the history file: it was saved before they started.
        execution: { maxParallel: 1, maxIterations: 1, isolation: 'shared', testCommand: ['node', '-e', `process.exit(require('node:fs').existsSync(${JSON.stringify(file)}) ? 0 : 1)`] },
      },
    });
    const summary = await orchestrator.run('Write the notes');
    expect(summary.status).toBe('met');
    expect(existsSync(file)).toBe(true);
  });
  it("sees nothing come and go under .qoder-orch/ while the judge's checks run (a run with its file store and duration history)", async () => {
    const repository = await createTemporaryRepository({ 'README.md': '# app\n' });
    repositories.push(repository);
    const scratch = await mkdtemp(join(tmpdir(), 'qoder-orch-watching-check-'));
    folders.push(scratch);
    const script = join(scratch, 'watch.js');
    const report = join(scratch, 'report.json');
    await writeFile(script, WATCHING_CHECK);
    const tasks = ['one', 'two', 'three'].map((id) => ({ id, title: `Write ${id}`, agent: 'backend-dev', files: [`${id}.md`] }));
    const provider = new MockAgentProvider({
      complete: (options) => (options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'ok' }) : JSON.stringify({ tasks })),
      runTask: Object.fromEntries(tasks.map((task, index) => [task.id, [{ type: 'success' as const, delayMs: 5 + index * 20, files: { [`${task.id}.md`]: `# ${task.id}\n` } }]])),
    });
    const orchestrator = createOrchestrator({
      projectDir: repository.root,
      provider,
      runStore: new FileRunStore({ directory: join(repository.root, '.qoder-orch', 'runs') }),
      config: { execution: { maxParallel: 3, maxIterations: 1, isolation: 'worktree', testCommand: [process.execPath, script, join(repository.root, '.qoder-orch'), report] } },
    });
    const summary = await orchestrator.run('Write the notes');
    const watched = JSON.parse(await readFile(report, 'utf8')) as { seen: number; gone: string[] };
    expect(watched.gone).toEqual([]);
    // It did watch the run's files (the run's folder, its event log, the history).
    expect(watched.seen).toBeGreaterThan(2);
    expect(summary.status).toBe('met');
    expect(existsSync(join(repository.root, '.qoder-orch', 'history', 'durations.json'))).toBe(true);
  });
});
