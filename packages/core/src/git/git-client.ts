import { spawn } from 'node:child_process';
import { OrchestratorError, SAFE_GIT_CONFIG, SAFE_GIT_UNSAFE_OPTIONS } from '@qoder-orch/spec';
import { gitEnvironment } from './git-environment';
import type { HelperExit } from './spawn-helper';
import { spawnThroughHelper } from './spawn-helpers';
import { isKnownAncestor, isRefAbsent, knownTreeOf, locateCheckout, readHeadCommit, readLooseCommitTree, readLooseRef, rememberTreeOf } from './git-files';

export interface GitCommandOptions {
  /** Extra environment (e.g. `GIT_INDEX_FILE`, identity variables). */
  env?: Readonly<Record<string, string>>;
  /** Written to git's standard input (e.g. NUL-separated paths for `--stdin`); none by default. */
  input?: string;
  abortSignal?: AbortSignal;
}

export { SAFE_GIT_CONFIG, SAFE_GIT_UNSAFE_OPTIONS };

const SAFE_CONFIG_ARGS = SAFE_GIT_CONFIG.flatMap((setting) => ['-c', setting]);

/** A git process about to start: where, and with which arguments (the safe `-c` settings left out). */
export interface GitSpawn {
  cwd: string;
  args: readonly string[];
  /** What it is given on its standard input, if anything (paths, object names, ref updates). */
  input?: string;
}

const spawnObservers = new Set<(spawn: GitSpawn) => void>();

/**
 * Calls `observer` for every git process this module starts, until the returned function is
 * called: how tests and benchmarks count the git work an operation costs (and where it goes).
 */
export function observeGitSpawns(observer: (spawn: GitSpawn) => void): () => void {
  spawnObservers.add(observer);
  return () => {
    spawnObservers.delete(observer);
  };
}

/** A git process that ended: what it printed and how it exited. */
interface GitExit {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `git -c <safe settings> <args>` in `cwd` with our environment (an argument vector, no
 * shell) and resolves when it has exited and its output is read. It never waits longer than
 * the process runs: git through a wrapper library used to wait a fixed 50 ms after every
 * command that printed nothing, which is most of what a task's git work is. The process is
 * started by a small spawn helper process (see `spawn-helpers.ts`: a fork of this process costs
 * far more, and blocks its main thread), or from here with `QODER_ORCH_GIT_SPAWN=direct`.
 */
async function spawnGit(cwd: string, args: readonly string[], options: GitCommandOptions): Promise<GitExit> {
  const exit = await spawnGitBytes(cwd, args, options);
  return { exitCode: exit.exitCode, stdout: exit.stdout.toString('utf8'), stderr: exit.stderr.toString('utf8') };
}

/** `spawnGit` with git's output as it printed it (bytes: object contents are not necessarily UTF-8). */
async function spawnGitBytes(cwd: string, args: readonly string[], options: GitCommandOptions): Promise<HelperExit> {
  for (const observer of spawnObservers) observer({ cwd, args, ...(options.input === undefined ? {} : { input: options.input }) });
  const argv = [...SAFE_CONFIG_ARGS, ...args];
  const env = gitEnvironment(options.env);
  return spawnThroughHelper(
    {
      file: 'git',
      args: argv,
      cwd,
      env,
      label: `git ${args[0] ?? ''}`,
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    },
    () => spawnDirectly(cwd, argv, env, options),
  );
}

/**
 * The contents of the blobs `specs` name (`<commit>:<path>`, object ids), read by one `git
 * cat-file --batch` in `cwd` whatever their number: a spec that names nothing, or something
 * other than a file, maps to `undefined`. A spec with a line break cannot be asked this way
 * and is left out of the answer (the caller asks for it on its own).
 */
export async function readBlobs(cwd: string, specs: readonly string[], options: Pick<GitCommandOptions, 'abortSignal'> = {}): Promise<Map<string, Buffer | undefined>> {
  const asked = [...new Set(specs)].filter((spec) => spec !== '' && !/[\n\r]/.test(spec));
  const blobs = new Map<string, Buffer | undefined>();
  if (asked.length === 0) return blobs;
  const raw = await spawnUnlessAborted(cwd, ['cat-file', '--batch'], { ...options, input: `${asked.join('\n')}\n` }, spawnGitBytes);
  if ('startError' in raw) throw new OrchestratorError({ code: 'GIT_ERROR', message: `git cat-file could not run in ${cwd}: ${errorText(raw.startError)}`, cause: raw.startError });
  if (raw.exitCode !== 0) throw new OrchestratorError({ code: 'GIT_ERROR', message: `git cat-file --batch failed in ${cwd}: ${errorText(new Error(raw.stderr.toString('utf8')))}` });
  // Per spec, in order: `<id> <type> <size>\n<contents>\n`, or `<spec> missing\n` (`ambiguous`, …).
  let offset = 0;
  for (const spec of asked) {
    const end = raw.stdout.indexOf(0x0a, offset);
    if (end < 0) throw new OrchestratorError({ code: 'GIT_ERROR', message: `git cat-file --batch in ${cwd} answered fewer objects than asked (${spec}).` });
    const header = raw.stdout.subarray(offset, end).toString('utf8');
    const found = /^[0-9a-f]{40,64} (\w+) (\d+)$/.exec(header);
    if (found === null) {
      blobs.set(spec, undefined);
      offset = end + 1;
      continue;
    }
    const size = Number(found[2]);
    blobs.set(spec, found[1] === 'blob' ? raw.stdout.subarray(end + 1, end + 1 + size) : undefined);
    offset = end + 1 + size + 1;
  }
  return blobs;
}

/** `git <argv>` started from this process. */
function spawnDirectly(cwd: string, argv: readonly string[], env: Record<string, string>, options: GitCommandOptions): Promise<HelperExit> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', argv, {
      cwd,
      env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
      ...(options.abortSignal === undefined ? {} : { signal: options.abortSignal }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    if (options.input !== undefined && child.stdin !== null) {
      // A git that exits before reading everything (a failure) must not become an unhandled EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }));
  });
}

/**
 * Runs git and answers its output, or the failure's text. A failure is a non-zero exit that
 * said why on stderr; a non-zero exit with nothing on stderr is an answer (`rev-parse -q
 * --verify` of a missing ref, `diff --quiet`), as callers have always read it.
 */
async function gitOutcome(cwd: string, args: readonly string[], options: GitCommandOptions): Promise<{ isOk: true; output: string } | { isOk: false; message: string; cause: unknown }> {
  const exit = await spawnUnlessAborted(cwd, args, options, spawnGit);
  if ('startError' in exit) return { isOk: false, message: errorText(exit.startError), cause: exit.startError };
  if (exit.exitCode !== 0 && exit.stderr.length > 0) {
    const message = `${exit.stdout}${exit.stderr}`;
    return { isOk: false, message: errorText(new Error(message)), cause: new Error(message) };
  }
  return { isOk: true, output: exit.stdout };
}

/**
 * Spawns git: an abort (before or after it ran) is `ABORTED` and a spawn helper lost while git
 * ran is its own error, whatever the caller asked; a git that could not start is answered.
 */
async function spawnUnlessAborted<Exit>(
  cwd: string,
  args: readonly string[],
  options: GitCommandOptions,
  spawner: (cwd: string, args: readonly string[], options: GitCommandOptions) => Promise<Exit>,
): Promise<Exit | { startError: unknown }> {
  let exit: Exit;
  try {
    exit = await spawner(cwd, args, options);
  } catch (error) {
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `git ${args[0] ?? ''} was aborted`, cause: error });
    if (OrchestratorError.isInstance(error)) throw error;
    return { startError: error };
  }
  if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `git ${args[0] ?? ''} was aborted` });
  return exit;
}

/** What a git process ended with, for callers that read the exit code themselves (`GIT_ERROR` only when it could not run). */
export interface GitProcessExit {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `git <args>` in `cwd` through the spawn helper and answers its exit code and output,
 * whatever they are: for packages outside core that read git's answers by exit code (a push
 * refused, `merge-base --is-ancestor`). An abort is `ABORTED`; a git that cannot start is `GIT_ERROR`.
 */
export async function runGitProcess(cwd: string, args: readonly string[], options: GitCommandOptions = {}): Promise<GitProcessExit> {
  const exit = await spawnUnlessAborted(cwd, args, options, spawnGit);
  if ('startError' in exit) throw new OrchestratorError({ code: 'GIT_ERROR', message: `git ${args[0] ?? ''} could not run in ${cwd}: ${errorText(exit.startError)}`, cause: exit.startError });
  return { exitCode: exit.exitCode ?? -1, stdout: exit.stdout, stderr: exit.stderr };
}

/** Runs `git <args>` in `cwd` and returns stdout. Failures become `GIT_ERROR` with git's message. */
export async function runGit(cwd: string, args: readonly string[], options: GitCommandOptions = {}): Promise<string> {
  const outcome = await gitOutcome(cwd, args, options);
  if (outcome.isOk) return outcome.output;
  throw new OrchestratorError({
    code: 'GIT_ERROR',
    message: `git ${args.slice(0, 3).join(' ')} failed in ${cwd}: ${outcome.message}`,
    cause: outcome.cause,
  });
}

/** Like `runGit`, but a failure is an answer, not an exception. */
export async function tryGit(cwd: string, args: readonly string[], options: GitCommandOptions = {}): Promise<{ isOk: true; output: string } | { isOk: false; message: string }> {
  const outcome = await gitOutcome(cwd, args, options);
  return outcome.isOk ? outcome : { isOk: false, message: outcome.message };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().slice(0, 2000);
}

/** Splits NUL-separated git output, dropping the empty tail. */
export function splitNul(output: string): string[] {
  return output.split('\0').filter((part) => part.length > 0);
}

/** The commit HEAD points to, or `undefined` in a repository with no commits yet. */
export async function headCommit(cwd: string, options: GitCommandOptions = {}): Promise<string | undefined> {
  // At the top of a checkout on a loose branch ref (or detached), git's files say it without a process.
  if (options.env === undefined) {
    const location = await locateCheckout(cwd);
    const head = location === undefined ? undefined : await readHeadCommit(location);
    if (head !== undefined) return head;
  }
  const result = await tryGit(cwd, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], options);
  return result.isOk && result.output.trim() ? result.output.trim() : undefined;
}

/** The object a ref points to, or `undefined` when it does not exist. */
export async function resolveRef(cwd: string, ref: string): Promise<string | undefined> {
  // A branch or one of our refs, stored loose: its file says it (they always point to commits). Absent files may still be packed: git answers then.
  if (/^refs\/(?:heads|qoder-orch)\/[^:^~@\s]+$/.test(ref)) {
    const location = await locateCheckout(cwd);
    const loose = location === undefined ? undefined : await readLooseRef(location, ref);
    if (loose !== undefined) return loose;
    if (location !== undefined && (await isRefAbsent(location, ref))) return undefined;
  }
  const result = await tryGit(cwd, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  return result.isOk && result.output.trim() ? result.output.trim() : undefined;
}

/** Runs git commands that take paths in batches, so long path lists never overflow the command line. */
export async function forPathBatches(paths: readonly string[], run: (batch: string[]) => Promise<unknown>, batchSize = 400): Promise<void> {
  for (let index = 0; index < paths.length; index += batchSize) await run(paths.slice(index, index + batchSize));
}

/** Environment that makes every pathspec literal (no globs, no magic): file names are data. */
export const LITERAL_PATHSPECS = { GIT_LITERAL_PATHSPECS: '1' } as const;

/** The tree of `commit` (`git rev-parse <commit>^{tree}` once per commit in this process: the answer never changes). */
export async function treeOfCommit(cwd: string, commit: string): Promise<string> {
  const known = knownTreeOf(commit);
  if (known !== undefined) return known;
  // A loose commit (what a run, or the user's last commit, just wrote) says its tree in its file.
  const location = await locateCheckout(cwd);
  const loose = location === undefined ? undefined : await readLooseCommitTree(location, commit);
  const tree = loose ?? (await runGit(cwd, ['rev-parse', '--verify', `${commit}^{tree}`])).trim();
  rememberTreeOf(commit, tree);
  return tree;
}

/** Ancestry answers between commits named by id: commits never change, so neither does whether one is in the other's history. */
const knownAncestry = new Map<string, boolean>();
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Whether `commit` is `of` or in its history (`git merge-base --is-ancestor`, which answers by
 * its exit code alone: 1, printing nothing, is "no"). Failures (an unknown commit) are `GIT_ERROR`.
 */
export async function isAncestor(cwd: string, commit: string, of: string): Promise<boolean> {
  if (commit === of) return true;
  const key = OBJECT_ID.test(commit) && OBJECT_ID.test(of) ? `${commit}:${of}` : undefined;
  const known = key === undefined ? undefined : knownAncestry.get(key);
  if (known !== undefined) return known;
  if (isKnownAncestor(commit, of)) return true;
  const args = ['merge-base', '--is-ancestor', commit, of];
  let exit: GitExit;
  try {
    exit = await spawnGit(cwd, args, {});
  } catch (error) {
    if (OrchestratorError.isInstance(error)) throw error;
    throw new OrchestratorError({ code: 'GIT_ERROR', message: `git merge-base --is-ancestor failed in ${cwd}: ${errorText(error)}`, cause: error });
  }
  if (exit.exitCode !== 0 && exit.exitCode !== 1) {
    throw new OrchestratorError({ code: 'GIT_ERROR', message: `git merge-base --is-ancestor failed in ${cwd}: ${errorText(new Error(`${exit.stdout}${exit.stderr}`))}` });
  }
  const answer = exit.exitCode === 0;
  if (key !== undefined) {
    if (knownAncestry.size >= 4096) knownAncestry.clear();
    knownAncestry.set(key, answer);
  }
  return answer;
}
