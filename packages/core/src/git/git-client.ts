import { type SimpleGit, simpleGit } from 'simple-git';
import { OrchestratorError, SAFE_GIT_CONFIG, SAFE_GIT_UNSAFE_OPTIONS } from '@qoder-orch/spec';
import { gitEnvironment } from './git-environment';

export interface GitCommandOptions {
  /** Extra environment (e.g. `GIT_INDEX_FILE`, identity variables). */
  env?: Readonly<Record<string, string>>;
  abortSignal?: AbortSignal;
}

export { SAFE_GIT_CONFIG, SAFE_GIT_UNSAFE_OPTIONS };

/** A simple-git instance for `cwd` with our environment. One per command: env is per instance. */
export function gitAt(cwd: string, options: GitCommandOptions = {}): SimpleGit {
  const git = simpleGit({
    baseDir: cwd,
    config: [...SAFE_GIT_CONFIG],
    unsafe: SAFE_GIT_UNSAFE_OPTIONS,
    trimmed: false,
    ...(options.abortSignal === undefined ? {} : { abort: options.abortSignal }),
  });
  return git.env(gitEnvironment(options.env));
}

/** Runs `git <args>` in `cwd` and returns stdout. Failures become `GIT_ERROR` with git's message. */
export async function runGit(cwd: string, args: readonly string[], options: GitCommandOptions = {}): Promise<string> {
  try {
    return await gitAt(cwd, options).raw([...args]);
  } catch (error) {
    if (options.abortSignal?.aborted) {
      throw new OrchestratorError({ code: 'ABORTED', message: `git ${args[0] ?? ''} was aborted`, cause: error });
    }
    throw new OrchestratorError({
      code: 'GIT_ERROR',
      message: `git ${args.slice(0, 3).join(' ')} failed in ${cwd}: ${errorText(error)}`,
      cause: error,
    });
  }
}

/** Like `runGit`, but a failure is an answer, not an exception. */
export async function tryGit(cwd: string, args: readonly string[], options: GitCommandOptions = {}): Promise<{ isOk: true; output: string } | { isOk: false; message: string }> {
  try {
    return { isOk: true, output: await gitAt(cwd, options).raw([...args]) };
  } catch (error) {
    if (options.abortSignal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: `git ${args[0] ?? ''} was aborted`, cause: error });
    return { isOk: false, message: errorText(error) };
  }
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
  const result = await tryGit(cwd, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], options);
  return result.isOk && result.output.trim() ? result.output.trim() : undefined;
}

/** The object a ref points to, or `undefined` when it does not exist. */
export async function resolveRef(cwd: string, ref: string): Promise<string | undefined> {
  const result = await tryGit(cwd, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  return result.isOk && result.output.trim() ? result.output.trim() : undefined;
}

/** Runs git commands that take paths in batches, so long path lists never overflow the command line. */
export async function forPathBatches(paths: readonly string[], run: (batch: string[]) => Promise<unknown>, batchSize = 400): Promise<void> {
  for (let index = 0; index < paths.length; index += batchSize) await run(paths.slice(index, index + batchSize));
}

/** Environment that makes every pathspec literal (no globs, no magic): file names are data. */
export const LITERAL_PATHSPECS = { GIT_LITERAL_PATHSPECS: '1' } as const;
