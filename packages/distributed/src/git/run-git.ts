import { runGitProcess } from '@qoder-orch/core';

/** Settings every git call here runs with: no prompts, a fixed identity for commits (core's git layer adds the rest). */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'qoder-orch worker',
  GIT_AUTHOR_EMAIL: 'worker@qoder-orch.invalid',
  GIT_COMMITTER_NAME: 'qoder-orch worker',
  GIT_COMMITTER_EMAIL: 'worker@qoder-orch.invalid',
};

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs git with an argv array through core's git layer (its spawn helper: no fork of this
 * process per command; hooks and fsmonitor off, no prompts); throws on a non-zero exit unless
 * `isTolerant`. The final newline of the output is dropped.
 */
export async function runGit(args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>>; isTolerant?: boolean; abortSignal?: AbortSignal; input?: string }): Promise<GitResult> {
  const exit = await runGitProcess(options.cwd, args, {
    env: { ...GIT_ENV, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  const outcome = { stdout: exit.stdout.replace(/\r?\n$/, ''), stderr: exit.stderr.replace(/\r?\n$/, ''), exitCode: exit.exitCode };
  if (outcome.exitCode !== 0 && !options.isTolerant) throw new Error(`git ${args[0]} failed (${outcome.exitCode}): ${outcome.stderr.trim().slice(-500)}`);
  return outcome;
}
