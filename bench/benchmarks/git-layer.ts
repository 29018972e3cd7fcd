import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { MemoryRunStore, type Task, builtinSubagents, createOrchestrator, observeGitSpawns } from '@qoder-orch/core';
import { type Benchmark, type Sample, compare, fixed, median, table, timeOnce } from '../harness';
import { cachedRepository, changedSince, cloneRepository, git, type RepositoryShape, resetRepository, sourcePath } from '../generated-repository';
import { followUpJudge, pool, scriptedProvider } from '../orchestrator-setup';
import { makeTask } from '../random-dag';
import { type StubEdit, spawnWritingStubAgent } from '../stub-command-provider';

const TASKS = 8;
const SLOTS = 4;

interface Case {
  label: string;
  /** The repository both sides clone: generated, or a real one given with `--repository=<path>`. */
  template(log: (line: string) => void): Promise<string>;
  /** Each task's one-file change in run `run` (the template is ready). */
  editsFor(run: number): StubEdit[];
  /** Warm runs of each side after the cold one. */
  runs: number;
  target: number;
  /**
   * The project's test command the orchestrator runs as the judge's evidence. By default the
   * repository's own (`node --test`, its `test` script: evidence, not git work); `['true']` leaves
   * the git layer alone to compare with the by-hand side, which runs no tests.
   */
  testCommand?: string[];
}

/** Each task's one-file change in run `run`: even tasks create a new file, odd ones append a line to an existing one, all in different folders. */
function generatedEdits(shape: RepositoryShape, run: number): StubEdit[] {
  return Array.from({ length: TASKS }, (_, index) => {
    const folder = Math.floor(((index + 0.5) * shape.folders) / TASKS);
    return index % 2 === 0
      ? { file: `src/m${String(folder).padStart(4, '0')}/task-${index}.ts`, mode: 'create' as const, text: `export const task${index} = 'run ${run}';` }
      : { file: sourcePath(folder, index % shape.filesPerFolder), mode: 'append' as const, text: `// changed by task ${index} in run ${run}` };
  });
}

const tasksFor = (edits: readonly StubEdit[]): Task[] => edits.map((edit, index) => makeTask(`t${index}`, { title: `Change ${edit.file}`, files: [edit.file], estimateMinutes: 1 }));

/**
 * The baseline: the git work of the same tasks done by hand, one task after another, with
 * real git: a worktree and branch per task, the same stub agent writing its file there,
 * `add -A`, commit, `merge --no-ff` in the main checkout, then the worktree and branch removed.
 */
async function byHand(repository: string, worktrees: string, edits: readonly StubEdit[]): Promise<void> {
  for (const [index, edit] of edits.entries()) {
    const branch = `bench/task-${index}`;
    const directory = join(worktrees, `task-${index}`);
    await git(repository, ['worktree', 'add', '-q', '-b', branch, directory, 'HEAD']);
    await spawnWritingStubAgent(`t${index}`, directory, edit);
    await git(directory, ['add', '-A']);
    await git(directory, ['commit', '-q', '-m', `Task t${index}: ${edit.file}`]);
    await git(repository, ['merge', '-q', '--no-ff', '-m', `Merge task t${index}`, branch]);
    await git(repository, ['worktree', 'remove', '--force', directory]);
    await git(repository, ['branch', '-D', '-q', branch]);
  }
}

/** The subject: one orchestrator run through the public API, worktree isolation, 4 slots, the writing stub agent as a real subprocess per task, no checks, a judge that accepts. */
async function throughOrchestrator(repository: string, worktreeRoot: string, edits: readonly StubEdit[], testCommand: string[] | undefined): Promise<void> {
  const tasks = tasksFor(edits);
  const editOf = new Map(tasks.map((task, index) => [task.id, edits[index]!]));
  const provider = scriptedProvider(tasks, (options) => spawnWritingStubAgent(options.taskId, options.cwd, editOf.get(options.taskId)!, options.abortSignal));
  const orchestrator = createOrchestrator({
    projectDir: repository,
    provider,
    runStore: new MemoryRunStore(),
    subagents: builtinSubagents(),
    random: () => 0.5,
    config: { execution: { maxParallel: SLOTS, maxIterations: 1, isolation: 'worktree', worktreeRoot, ...(testCommand === undefined ? {} : { testCommand }) } },
    judge: followUpJudge([]),
  });
  const summary = await orchestrator.run('Benchmark objective: eight one-file changes');
  if (summary.status !== 'met' || summary.tasks.completed !== TASKS) {
    throw new Error(`orchestrator run did not complete: ${JSON.stringify({ status: summary.status, stopReason: summary.stopReason, tasks: summary.tasks, error: summary.error })}`);
  }
}

interface Side {
  repository: string;
  worktrees: string;
  base: string;
  /** The edits of the run last made on this side, checked before the next reset. */
  pending: StubEdit[] | undefined;
}

/** Checks that the last run on `side` landed every task's file on the main branch, then resets it to the generated commit. */
async function checkAndReset(side: Side, who: string): Promise<void> {
  if (side.pending) {
    const changed = new Set(await changedSince(side.repository, side.base));
    const missing = side.pending.filter((edit) => !changed.has(edit.file));
    if (missing.length > 0) throw new Error(`${who}: the run did not land ${missing.map((edit) => edit.file).join(', ')} on the main branch`);
  }
  side.pending = undefined;
  await resetRepository(side.repository, side.base);
}

const perTask = (ms: number) => fixed(ms / TASKS / 1000, 2);

/** Files a line can be appended to without changing what they are (a comment in source, a line of prose). */
const COMMENT_OF: Readonly<Record<string, string>> = { js: '//', mjs: '//', cjs: '//', ts: '//', mts: '//', cts: '//', tsx: '//', jsx: '//', md: '' };

const extensionOf = (path: string) => path.slice(path.lastIndexOf('.') + 1);

/**
 * A case for a real repository: the 8 tasks change files in 8 different folders spread over
 * the tracked tree (sorted, evenly spaced: the same folders every time), half of them a new
 * file beside existing sources, half a comment line appended to one. Its test command is
 * `true`: the comparison is of git work (its own tests may need installed dependencies).
 */
async function realRepositoryCase(repository: string): Promise<Case> {
  const tracked = (await git(repository, ['ls-tree', '-r', '-z', '--name-only', 'HEAD'])).split('\0').filter(Boolean);
  const byFolder = new Map<string, string>();
  for (const path of tracked) {
    const extension = extensionOf(path);
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    if (!(extension in COMMENT_OF) || path.split('/').some((part) => part.startsWith('.')) || byFolder.has(folder)) continue;
    byFolder.set(folder, path);
  }
  const folders = [...byFolder.keys()].sort();
  if (folders.length < TASKS) throw new Error(`${repository}: fewer than ${TASKS} folders with source or markdown files to change`);
  const chosen = Array.from({ length: TASKS }, (_, index) => byFolder.get(folders[Math.floor(((index + 0.5) * folders.length) / TASKS)]!)!);
  const name = basename(repository) === 'repo' || basename(repository) === '.git' ? basename(dirname(repository)) : basename(repository);
  return {
    label: `${name} (real, ${tracked.length} files), test command \`true\``,
    template: async (say) => {
      // One copy on the scratch file system (hard links do not cross devices), reused by later runs; both sides clone it.
      const head = await git(repository, ['rev-parse', 'HEAD']);
      const copy = join(tmpdir(), `qoder-orch-bench-real-${name.replace(/[^\w.-]+/g, '-')}-${head.slice(0, 12)}`);
      if (existsSync(join(copy, '.git'))) return copy;
      const partial = await mkdtemp(`${copy}.partial-`);
      const startedAt = Date.now();
      await git(tmpdir(), ['clone', '-q', '--no-hardlinks', '--local', repository, join(partial, 'clone')]);
      await rename(join(partial, 'clone'), copy);
      await rm(partial, { recursive: true, force: true });
      say(`(copied ${repository} to ${copy} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; kept for later runs)`);
      return copy;
    },
    editsFor: (run) =>
      chosen.map((path, index) => {
        const extension = extensionOf(path);
        const comment = COMMENT_OF[extension]!;
        const line = `${comment === '' ? '' : `${comment} `}changed by task ${index} in run ${run}`;
        return index % 2 === 0 ? { file: `${path.slice(0, path.lastIndexOf('/') + 1)}qoder-orch-bench-task-${index}.${extension}`, mode: 'create' as const, text: line } : { file: path, mode: 'append' as const, text: line };
      }),
    runs: tracked.length > 10_000 ? 1 : 3,
    target: tracked.length > 10_000 ? 0.25 : 0.5,
    testCommand: ['true'],
  };
}

async function measureCase(benchCase: Case, log: (line?: string) => void): Promise<string[]> {
  const template = await benchCase.template(log);
  const scratch = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-git-layer-'));
  try {
    const sides: Record<'baseline' | 'subject', Side> = { baseline: { repository: '', worktrees: '', base: '', pending: undefined }, subject: { repository: '', worktrees: '', base: '', pending: undefined } };
    for (const name of ['baseline', 'subject'] as const) {
      const side = sides[name];
      side.repository = join(scratch, name);
      side.worktrees = join(scratch, `${name}-worktrees`);
      await mkdir(side.worktrees);
      side.base = await cloneRepository(template, side.repository);
    }
    let run = 0;
    /** Git processes the orchestrator's runs started, per run (the first is the cold one). */
    const subjectSpawns: number[] = [];
    const baseline = async () => {
      const edits = benchCase.editsFor((run += 1));
      sides.baseline.pending = edits;
      await byHand(sides.baseline.repository, sides.baseline.worktrees, edits);
    };
    const subject = async () => {
      const edits = benchCase.editsFor((run += 1));
      sides.subject.pending = edits;
      let spawns = 0;
      const stop = observeGitSpawns(() => {
        spawns += 1;
      });
      try {
        await throughOrchestrator(sides.subject.repository, sides.subject.worktrees, edits, benchCase.testCommand);
      } finally {
        stop();
      }
      subjectSpawns.push(spawns);
    };
    const beforeEach = (name: 'baseline' | 'subject') => checkAndReset(sides[name], name);
    // The first (cold) run of each: fresh clones, nothing made yet (a worktree pool would be empty).
    await beforeEach('baseline');
    const coldBaseline: Sample = await timeOnce(baseline);
    await beforeEach('subject');
    const coldSubject: Sample = await timeOnce(subject);
    log(`(${benchCase.label}: cold runs ${fixed(coldBaseline.wallMs / 1000, 1)} s by hand, ${fixed(coldSubject.wallMs / 1000, 1)} s through the orchestrator; now ${benchCase.runs} warm run(s) of each)`);
    const warm = await compare(baseline, subject, { warmup: 0, runs: benchCase.runs, beforeEach });
    const warmSpawns = subjectSpawns.slice(1).map((count) => fixed(count / TASKS, 2));
    log(`(${benchCase.label}: git processes per task through the orchestrator: cold ${fixed((subjectSpawns[0] ?? 0) / TASKS, 2)}, warm ${warmSpawns.join(', ')}; by hand 7)`);
    await beforeEach('baseline');
    await beforeEach('subject');
    const range = (samples: readonly number[]) => `${perTask(Math.min(...samples))}–${perTask(Math.max(...samples))}`;
    return [
      benchCase.label,
      perTask(coldBaseline.wallMs),
      perTask(coldSubject.wallMs),
      fixed(coldSubject.wallMs / coldBaseline.wallMs, 2),
      `${perTask(warm.baseline.medianMs)} (${range(warm.baseline.samplesMs)})`,
      `${perTask(warm.subject.medianMs)} (${range(warm.subject.samplesMs)})`,
      fixed(warm.ratio, 2),
      `≤ ${benchCase.target}`,
      fixed(warm.baseline.cpuMedianMs / TASKS, 0),
      fixed(warm.subject.cpuMedianMs / TASKS, 0),
    ];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * What the git layer costs per task on big and small repositories: 8 independent one-file
 * tasks through the orchestrator (worktree isolation, 4 slots, an instant stub agent as a real
 * subprocess) against the same git work done by hand in a row.
 */
export const gitLayer: Benchmark = {
  name: 'git-layer',
  description: 'Per-task cost of worktree isolation (8 one-file tasks, 4 slots) on generated 30 000- and 400-file repositories, against the same git work by hand in a row.',
  async run({ isQuick, repositories, log }) {
    const generated = (label: string, shape: RepositoryShape, runs: number, target: number, testCommand?: string[]): Case => ({
      label,
      template: (say) => cachedRepository(shape, say),
      editsFor: (run) => generatedEdits(shape, run),
      runs,
      target,
      ...(testCommand === undefined ? {} : { testCommand }),
    });
    const small: RepositoryShape = { folders: 20, filesPerFolder: 20 };
    const smallCases: Case[] = [generated('400 files', small, 3, 0.5), generated('400 files, test command `true`', small, 3, 0.5, ['true'])];
    const realCases = await Promise.all(repositories.map((repository) => realRepositoryCase(repository)));
    const cases: Case[] = isQuick ? [...smallCases, ...realCases] : [generated('30 000 files', { folders: 1500, filesPerFolder: 20 }, 1, 0.25), ...smallCases, ...realCases];
    log(`Plan: ${TASKS} independent tasks, each changing one file (half create one, half append a line); ${SLOTS} slots; isolation worktree;`);
    log('the agent is a real subprocess (`node -e`, writes its file, prints one JSON line); no verify commands; the judge accepts without a model call.');
    log("The orchestrator runs the project's test command as the judge's evidence: the repository's `node --test`, or (second 400-file row) `true`, which leaves the git layer alone.");
    log(`Baseline: for each task in a row, by hand with real git: worktree add -b, the same stub agent, add -A, commit, merge --no-ff, worktree remove --force, branch -D.`);
    log('Repositories: generated (1–4 KB source files, one commit), cached under the OS temp folder; each side works in its own fresh clone, reset between runs (untimed).');
    if (realCases.length > 0) {
      log('Real repositories (`--repository=<path>`): cloned the same way; 8 folders spread over the tracked tree, a new file beside the sources in 4, a comment line appended to a source in 4; test command `true`.');
      log("Target for a real repository: 0.25 above 10 000 files, 0.5 below (the issue's two sizes).");
    }
    log('Cold: the first run of each side in fresh clones. Warm: the median of the following runs (3 at 400 files, 1 at 30 000: a run takes minutes there), alternated (min–max in brackets).');
    log(`Scratch repositories and worktrees are under ${tmpdir()} (TMPDIR): how fast that file system creates files moves the by-hand side most (it writes whole checkouts).`);
    const agentAlone: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-agent-'));
      const sample = await timeOnce(() => pool(TASKS, SLOTS, (task) => spawnWritingStubAgent(`t${task}`, directory, { file: `f${task}.txt`, mode: 'create', text: 'x' })));
      agentAlone.push(sample.wallMs);
      await rm(directory, { recursive: true, force: true });
    }
    log(`The stub agent alone: ${TASKS} runs ${SLOTS} at a time take ${fixed(median(agentAlone), 0)} ms (median of 3), ${fixed(median(agentAlone) / TASKS, 0)} ms per task.\n`);
    const rows: string[][] = [];
    for (const benchCase of cases) rows.push(await measureCase(benchCase, log));
    log(table(['repository', 'cold by hand s/task', 'cold orch. s/task', 'cold ratio', 'warm by hand s/task', 'warm orch. s/task', 'warm ratio', 'target', 'by hand CPU ms/task', 'orch. CPU ms/task'], rows));
  },
};
