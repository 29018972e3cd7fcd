import { SAFE_GIT_CONFIG } from '@qoder-orch/spec';
import { execa } from 'execa';

/** Settings every git call here runs with: no prompts, no pager, a fixed identity for commits. */
const GIT_ENV = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
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

/** Runs git with an argv array (hooks and fsmonitor off); throws on a non-zero exit unless `isTolerant`. */
export async function runGit(args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>>; isTolerant?: boolean; abortSignal?: AbortSignal; input?: string }): Promise<GitResult> {
  const result = await execa('git', [...SAFE_GIT_CONFIG.flatMap((setting) => ['-c', setting]), ...args], {
    cwd: options.cwd,
    env: { ...GIT_ENV, ...options.env },
    reject: false,
    stripFinalNewline: true,
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.abortSignal ? { cancelSignal: options.abortSignal } : {}),
  });
  const outcome = { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? -1 };
  if (outcome.exitCode !== 0 && !options.isTolerant) throw new Error(`git ${args[0]} failed (${outcome.exitCode}): ${outcome.stderr.trim().slice(-500)}`);
  return outcome;
}
