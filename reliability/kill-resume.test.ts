import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FileRunStore, RunStateSchema, RunSummarySchema, type RunState, type RunSummary, WorktreeManager } from '@qoder-orch/core';
import { EXPECTED_FILES, type KillPoint, type RunnerOptions, TASK_IDS } from './fixtures/run-orchestrator';
import { holds } from './record-case';
import { worktreesBesideIdlePool } from './worktrees-left';

/**
 * The orchestrator process SIGKILLed at many points of a real run (events, mid state write,
 * mid checkpoint, mid merge, seeded random moments), then resumed in a new process.
 */
const RUNNER = fileURLToPath(new URL('./fixtures/run-orchestrator.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USER_NOTES = 'my uncommitted notes, allowed dirty\n';
const USER_FILE = 'user work: committed before the run\n';

/** mulberry32: seeded, so the "random" kill moments are the same on every machine. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const event = (type: string, nth: number, delayMs = 0): KillPoint => ({ kind: 'event', type, nth, delayMs });
const random = seeded(20_261_125);
const KILL_POINTS: Array<{ name: string; kill: KillPoint }> = [
  { name: 'at run-start', kill: event('run-start', 1) },
  { name: 'at plan-end', kill: event('plan-end', 1) },
  { name: 'at the first checkpoint-end', kill: event('checkpoint-end', 1) },
  { name: 'at the first task-start', kill: event('task-start', 1) },
  { name: 'at the first verify-end', kill: event('verify-end', 1) },
  { name: 'at the first merge-end (before it is written)', kill: event('merge-end', 1) },
  { name: 'at the first task-end (before it is written)', kill: event('task-end', 1) },
  { name: 'just after the first task-end was written', kill: event('task-end', 1, 25) },
  { name: 'at the third checkpoint-end', kill: event('checkpoint-end', 3) },
  { name: 'shortly after the third task-start', kill: event('task-start', 3, 10) },
  { name: 'at the second merge-end', kill: event('merge-end', 2) },
  { name: 'at the third task-end', kill: event('task-end', 3) },
  { name: 'at the last merge-end', kill: event('merge-end', 4) },
  { name: 'at judge-end', kill: event('judge-end', 1) },
  { name: 'at iteration-end', kill: event('iteration-end', 1) },
  { name: 'at run-end', kill: event('run-end', 1) },
  { name: 'mid state write 2', kill: { kind: 'state-write', nth: 2, delayMs: 0 } },
  { name: 'mid state write 5', kill: { kind: 'state-write', nth: 5, delayMs: 0 } },
  { name: 'mid state write 8', kill: { kind: 'state-write', nth: 8, delayMs: 1 } },
  { name: 'mid checkpoint 1', kill: { kind: 'prepare', nth: 1, delayMs: 15 } },
  { name: 'mid checkpoint 3', kill: { kind: 'prepare', nth: 3, delayMs: 40 } },
  { name: 'mid merge 1', kill: { kind: 'complete', nth: 1, delayMs: 40 } },
  { name: 'mid merge 2 (later)', kill: { kind: 'complete', nth: 2, delayMs: 150 } },
  { name: 'mid merge 3 (late)', kill: { kind: 'complete', nth: 3, delayMs: 300 } },
  ...[0, 1, 2].map((index) => {
    const delayMs = 300 + Math.floor(random() * 2_500);
    return { name: `seeded random moment ${index + 1} (${delayMs} ms after run-start)`, kill: { kind: 'timer' as const, delayMs } };
  }),
];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runRunner(options: RunnerOptions): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, JSON.stringify(options)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const git = (cwd: string, args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'u@example.com', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'u@example.com' } });

function userRepository(parent: string): { root: string; userCommit: string } {
  const root = join(parent, 'project');
  execFileSync('mkdir', ['-p', join(root, 'docs')]);
  git(root, ['init', '-q', '-b', 'main']);
  writeFileSync(join(root, 'README.md'), '# project\n');
  writeFileSync(join(root, 'docs', 'user.txt'), USER_FILE);
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', 'user commit']);
  writeFileSync(join(root, 'notes.txt'), USER_NOTES);
  return { root, userCommit: git(root, ['rev-parse', 'HEAD']).trim() };
}

/** Every line of the event log parses, except possibly a torn last one. */
function checkEventLog(path: string): { lines: number; tornLast: boolean; events: Array<Record<string, unknown>> } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const events: Array<Record<string, unknown>> = [];
  let tornLast = false;
  lines.forEach((line, index) => {
    if (line === '') return;
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      if (index === lines.length - 1) tornLast = true;
      else throw new Error(`events.ndjson line ${index + 1} is corrupt: ${line.slice(0, 120)}`);
    }
  });
  return { lines: events.length, tornLast, events };
}

function readState(path: string): RunState {
  return RunStateSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

function filesWithConflictMarkers(root: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (path === '.git') continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && /^(<{7}|>{7}) /m.test(readFileSync(join(root, path), 'utf8'))) found.push(path);
    }
  };
  walk('');
  return found;
}

/** Two at a time: each case is two node processes and a dozen git commands. */
function limiter(size: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
const limit = limiter(2);

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

interface Outcome {
  dataLost: number;
  finishedAtKill: string[];
  rerunFinished: string[];
  summary: RunSummary;
}

/** Kills a run at `kill`, optionally damages what it left, resumes it (possibly killing again), and checks everything. */
async function killAndResume(kill: KillPoint, options: { tearLog?: boolean; secondKill?: KillPoint } = {}): Promise<Outcome> {
  const parent = mkdtempSync(join(tmpdir(), 'qoder-orch-kill-'));
  directories.push(parent);
  const { root, userCommit } = userRepository(parent);
  const log = join(parent, 'task-starts.ndjson');
  writeFileSync(log, '');
  const runId = 'kill-run';
  const runDirectory = join(root, '.qoder-orch', 'runs', runId);
  const base: Omit<RunnerOptions, 'isResume' | 'kill'> = { projectDir: root, runId, log };

  const first = await runRunner({ ...base, isResume: false, kill });
  expect(first.signal, `the kill point was never reached: ${first.stdout.slice(-300)} ${first.stderr.slice(-600)}`).toBe('SIGKILL');

  // What the store durably knew was finished at the moment of the kill.
  const finishedAtKill = new Set<string>();
  if (existsSync(join(runDirectory, 'state.json'))) {
    // The snapshot parses on its own; the state is the snapshot with the journal's newer changes.
    readState(join(runDirectory, 'state.json'));
    const state = await new FileRunStore({ directory: join(root, '.qoder-orch', 'runs') }).readState(runId);
    for (const [taskId, task] of Object.entries(state?.tasks ?? {})) if (task.status === 'completed') finishedAtKill.add(taskId);
  }
  for (const entry of checkEventLog(join(runDirectory, 'events.ndjson')).events) {
    const result = entry['result'] as { status?: string } | undefined;
    if (entry['type'] === 'task-end' && result?.status === 'completed') finishedAtKill.add(String(entry['taskId']));
  }
  if (options.tearLog) appendFileSync(join(runDirectory, 'events.ndjson'), '{"type":"task-end","runId":"kill-run","seq":99');

  if (options.secondKill) {
    const second = await runRunner({ ...base, isResume: true, kill: options.secondKill });
    expect(second.signal, `the second kill point was never reached: ${second.stderr.slice(-600)}`).toBe('SIGKILL');
    readState(join(runDirectory, 'state.json'));
    await new FileRunStore({ directory: join(root, '.qoder-orch', 'runs') }).readState(runId);
  }
  const resumed = await runRunner({ ...base, isResume: true, kill: { kind: 'none' } });
  expect(resumed.code, `resume failed: ${resumed.stderr.slice(-2000)}`).toBe(0);
  const summary = RunSummarySchema.parse(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!));

  // Run files: the state parses, the event log is valid (and readable by the store).
  const state = readState(join(runDirectory, 'state.json'));
  checkEventLog(join(runDirectory, 'events.ndjson'));
  await new FileRunStore({ directory: join(root, '.qoder-orch', 'runs') }).readEvents(runId);

  // No finished task ran again.
  const starts = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { phase: string; taskId: string });
  const rerunFinished = [...finishedAtKill].filter((taskId) => starts.some((start) => start.phase === 'resume' && start.taskId === taskId));

  // The user's work: their commit is still in main's history, their files and uncommitted notes intact.
  let dataLost = 0;
  const isAncestor = (() => {
    try {
      git(root, ['merge-base', '--is-ancestor', userCommit, 'main']);
      return true;
    } catch {
      return false;
    }
  })();
  if (!isAncestor) dataLost += 1;
  const readOrMissing = (path: string) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined);
  if (readOrMissing('docs/user.txt') !== USER_FILE) dataLost += 1;
  if (readOrMissing('notes.txt') !== USER_NOTES) dataLost += 1;
  // Every task's work landed on the user's branch.
  for (const [path, content] of Object.entries(EXPECTED_FILES)) if (readOrMissing(path) !== content) dataLost += 1;

  expect(summary.status, JSON.stringify(summary.error ?? summary.tasks)).toBe('met');
  expect(state.status).toBe('met');
  expect(summary.tasks).toMatchObject({ total: TASK_IDS.length, completed: TASK_IDS.length, failed: 0 });
  expect(rerunFinished, 'finished tasks ran again after the resume').toEqual([]);
  expect(filesWithConflictMarkers(root)).toEqual([]);
  // Besides the checkout, only idle slots of the worktree pool remain.
  expect(worktreesBesideIdlePool(git(root, ['worktree', 'list']))).toHaveLength(1);
  // No worktree content may stay, neither in the worktree folder (outside the project, same environment as the runner) nor inside the project.
  for (const worktrees of [new WorktreeManager({ projectDir: root }).directory, join(root, '.qoder-orch', 'worktrees')]) {
    expect(
      existsSync(worktrees)
        ? readdirSync(worktrees)
            // The idle pool's slots are checkouts kept for the next run by design (checked detached above).
            .filter((name) => name !== '.pool')
            .flatMap((name) => readdirSync(join(worktrees, name), { withFileTypes: true, recursive: true }))
            .filter((entry) => !entry.isDirectory())
            .map((entry) => entry.name)
        : [],
    ).toEqual([]);
  }
  expect(git(root, ['status', '--porcelain']).trim()).toBe('?? notes.txt');
  return { dataLost, finishedAtKill: [...finishedAtKill], rerunFinished, summary };
}

describe('the orchestrator SIGKILLed and resumed', () => {
  it.concurrent.each(KILL_POINTS)(
    '$name: the resumed run completes, nothing finished runs twice, nothing is lost',
    async ({ name, kill }) => {
      await limit(() => holds('kill and resume', name, async () => ({ dataLost: (await killAndResume(kill)).dataLost })));
    },
    600_000,
  );

  it.concurrent('a torn last event line, then killed again after resuming, then resumed: the log stays readable', async () => {
    await limit(() =>
      holds('kill and resume', 'torn event line, killed twice', async () => ({
        dataLost: (await killAndResume(event('task-end', 1), { tearLog: true, secondKill: event('task-end', 1) })).dataLost,
      })),
    );
  }, 600_000);
});
