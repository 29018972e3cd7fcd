/**
 * A scratch measurement of the worktree layer (not a `pnpm bench` benchmark): per task, the git
 * workspace with isolation `worktree` (8 independent one-file tasks, 4 at a time, an instant
 * agent) against the same git work done by hand in a row (worktree add, write a file, add,
 * commit, merge into main, worktree remove), on a generated repository.
 *
 *   node --import tsx bench/worktree-pool-measure.ts --files 30000 [--rounds 3] [--core <core src/index.ts>]
 *
 * `--core` measures another checkout's workspace (e.g. the code before the pool) on the same
 * repository, so two versions can be compared in one process, rounds interleaved.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '30000' }, rounds: { type: 'string', default: '3' }, tasks: { type: 'string', default: '8' }, parallel: { type: 'string', default: '4' }, core: { type: 'string', multiple: true } },
});
const fileCount = Number(values.files);
const rounds = Number(values.rounds);
const taskCount = Number(values.tasks);
const parallel = Number(values.parallel);
const cores = values.core ?? [resolve('packages/core/src/index.ts')];

const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function generate(root: string, files: number): Promise<void> {
  await mkdir(root, { recursive: true });
  git(root, ['init', '-q', '--initial-branch=main']);
  // No background gc racing the measurement (a commit of 30 000 new objects would start one).
  git(root, ['config', 'gc.auto', '0']);
  const perFolder = 20;
  const filler = 'x'.repeat(2000);
  for (let index = 0; index < files; index += 1) {
    const folder = join(root, 'src', `m${Math.floor(index / (perFolder * 50))}`, `d${Math.floor(index / perFolder)}`);
    if (index % perFolder === 0) await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `f${index % perFolder}.js`), `// ${index}\n${filler}\n`);
  }
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', 'generated']);
  git(root, ['gc', '-q']);
}

/** The same git work as a task, by hand, one task after another. */
function byHand(root: string, folder: string, round: number): void {
  for (let index = 0; index < taskCount; index += 1) {
    const branch = `hand-${round}-${index}`;
    const path = join(folder, branch);
    git(root, ['worktree', 'add', '-q', '-b', branch, path, 'main']);
    execFileSync('sh', ['-c', `echo task > hand-${round}-${index}.txt`], { cwd: path });
    git(path, ['add', '-A']);
    git(path, ['commit', '-q', '-m', branch]);
    git(root, ['merge', '-q', '--no-ff', '--no-edit', branch]);
    git(root, ['worktree', 'remove', '--force', path]);
    git(root, ['branch', '-q', '-D', branch]);
  }
}

interface Core {
  createGitWorkspace(options: { projectDir: string; isolation: 'worktree'; worktreeRoot: string; linkDependencies: boolean }): {
    begin(options: { runId: string; isResume: boolean; allowDirty: boolean }): Promise<unknown>;
    prepare(task: unknown, options: { runId: string; attempt: number }): Promise<{ cwd: string }>;
    changedFiles(prepared: unknown): Promise<string[]>;
    complete(task: unknown, prepared: unknown, options: { message: string }): Promise<{ conflict?: unknown }>;
    end(options: { isSuccess: boolean }): Promise<unknown>;
  };
  TaskSchema: { parse(value: unknown): unknown };
}

async function throughLayer(core: Core, root: string, worktreeRoot: string, runId: string, label: string): Promise<void> {
  const workspace = core.createGitWorkspace({ projectDir: root, isolation: 'worktree', worktreeRoot, linkDependencies: false });
  await workspace.begin({ runId, isResume: false, allowDirty: false });
  const queue = Array.from({ length: taskCount }, (_, index) => index);
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const task = core.TaskSchema.parse({ id: `t${index}`, title: `t${index}`, agent: 'coder' });
      const prepared = await workspace.prepare(task, { runId, attempt: 1 });
      // A file no other layer or round wrote: every task has a commit to make and merge.
      await writeFile(join(prepared.cwd, `${label}-${runId}-${index}.txt`), 'task\n');
      await workspace.changedFiles(prepared);
      const completed = await workspace.complete(task, prepared, { message: `task ${index}` });
      if (completed.conflict !== undefined) throw new Error('unexpected conflict');
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  await workspace.end({ isSuccess: true });
}

const time = async (body: () => unknown): Promise<number> => {
  const startedAt = performance.now();
  await body();
  return performance.now() - startedAt;
};

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;

const scratch = await mkdtemp(join(tmpdir(), 'qoder-orch-pool-measure-'));
try {
  const root = join(scratch, 'repo');
  await generate(root, fileCount);
  const loaded: Array<{ label: string; core: Core; worktreeRoot: string; index: number }> = [];
  for (const [index, path] of cores.entries()) loaded.push({ label: path, core: (await import(path)) as Core, worktreeRoot: join(scratch, `worktrees-${index}`), index });
  const samples = new Map<string, number[]>([['by hand', []], ...loaded.map((entry) => [entry.label, []] as [string, number[]])]);
  const firstRun = new Map<string, number>();
  for (let round = 0; round <= rounds; round += 1) {
    samples.get('by hand')?.push((await time(() => byHand(root, join(scratch, 'hand'), round))) / taskCount);
    for (const entry of loaded) {
      const perTask = (await time(() => throughLayer(entry.core, root, entry.worktreeRoot, `run-${round}`, `layer${entry.index}`))) / taskCount;
      // Round 0 makes the pool (a full checkout per slot): reported apart, as a run on a fresh machine pays it.
      if (round === 0) firstRun.set(entry.label, perTask);
      else samples.get(entry.label)?.push(perTask);
    }
  }
  samples.set('by hand', samples.get('by hand')?.slice(1) ?? []);
  const hand = median(samples.get('by hand') ?? []);
  console.log(`${fileCount} files, ${taskCount} tasks, ${parallel} at a time; per task, median of ${rounds} rounds`);
  console.log(`by hand (in a row): ${hand.toFixed(0)} ms  [${(samples.get('by hand') ?? []).map((value) => value.toFixed(0)).join(', ')}]`);
  for (const entry of loaded) {
    const perTask = median(samples.get(entry.label) ?? []);
    console.log(
      `${entry.label}: ${perTask.toFixed(0)} ms = ${(perTask / hand).toFixed(2)}x  [${(samples.get(entry.label) ?? []).map((value) => value.toFixed(0)).join(', ')}]; first run (makes the pool) ${(firstRun.get(entry.label) ?? 0).toFixed(0)} ms`,
    );
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
