import { OrchestratorError } from '@qoder-orch/spec';
import { tryGit } from '../git/git-client';

export interface DeliverPullRequestOptions {
  /** The project (a git repository with the remote). */
  projectDir: string;
  /** The run's branch (the summary's `branch.name`). */
  branch: string;
  /** The branch the pull request goes into: the one the run started from. Absent (HEAD was detached): the remote's default. */
  base?: string;
  /** @default 'origin' */
  remote?: string;
  title: string;
  /** A file holding the body (`pullRequestBody`), kept where the printed command can still read it (the run folder). */
  bodyFile: string;
  /** The environment of `git push` and `gh` (their credentials are theirs). @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  abortSignal?: AbortSignal;
}

/**
 * What became of the pull request: `opened` (its URL), or `not-opened` with why and the exact
 * commands that would do it (the push too when it did not happen). `code` is stable:
 * `BRANCH_PUSH_FAILED` (nothing left the machine), `GH_MISSING`, `GH_UNAUTHENTICATED`,
 * `PULL_REQUEST_FAILED` (gh answered with an error).
 */
export type PullRequestDelivery =
  | { status: 'opened'; url: string; isPushed: true }
  | { status: 'not-opened'; code: 'BRANCH_PUSH_FAILED' | 'GH_MISSING' | 'GH_UNAUTHENTICATED' | 'PULL_REQUEST_FAILED'; message: string; isPushed: boolean; commands: string[][] };

/** The `git push` that publishes the run's branch, as an argument vector. */
export function pushCommand(remote: string, branch: string): string[] {
  return ['git', 'push', remote, `refs/heads/${branch}:refs/heads/${branch}`];
}

/** The `gh pr create --draft …` that opens the pull request, as an argument vector. */
export function pullRequestCommand(options: Pick<DeliverPullRequestOptions, 'branch' | 'base' | 'title' | 'bodyFile'>): string[] {
  return ['gh', 'pr', 'create', '--draft', '--title', options.title, '--body-file', options.bodyFile, '--head', options.branch, ...(options.base === undefined ? [] : ['--base', options.base])];
}

/** An argument vector as one line a POSIX shell runs as it is (single quotes where needed). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Pushes the run's branch to the remote (real `git push`, an argument vector, the repository's
 * hooks not run, never a prompt) and opens a draft pull request with `gh pr create --draft` when
 * `gh` is on the PATH and `gh auth status` succeeds. Otherwise nothing is opened and the result
 * carries the commands to run by hand. Only a bad option throws (`CONFIG_INVALID`).
 */
export async function deliverPullRequest(options: DeliverPullRequestOptions): Promise<PullRequestDelivery> {
  const remote = options.remote ?? 'origin';
  for (const [what, value] of [
    ['remote', remote],
    ['branch', options.branch],
    ['base', options.base ?? 'x'],
  ] as const) {
    if (value === '' || value.startsWith('-') || /[\s\u0000-\u001f]/.test(value)) {
      throw new OrchestratorError({ code: 'CONFIG_INVALID', message: `${JSON.stringify(value)} is not a valid ${what} name for a pull request.`, fix: 'Name a git remote such as `origin` and a branch without spaces or a leading "-".' });
    }
  }
  const push = pushCommand(remote, options.branch);
  const create = pullRequestCommand(options);
  const env = { ...(options.env ?? process.env) } as Record<string, string>;
  const pushed = await tryGit(options.projectDir, push.slice(1), { env, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) });
  if (!pushed.isOk) {
    return { status: 'not-opened', code: 'BRANCH_PUSH_FAILED', message: `git push ${remote} ${options.branch} failed: ${pushed.message}`, isPushed: false, commands: [push, create] };
  }
  const { execa } = await import('execa');
  const run = (args: string[]) => execa('gh', args, { cwd: options.projectDir, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000, ...(options.abortSignal ? { cancelSignal: options.abortSignal } : {}) });
  const auth = await run(['auth', 'status']);
  if (isMissing(auth)) return { status: 'not-opened', code: 'GH_MISSING', message: 'The GitHub CLI (gh) is not on the PATH; the branch is pushed.', isPushed: true, commands: [create] };
  if (auth.exitCode !== 0) {
    return { status: 'not-opened', code: 'GH_UNAUTHENTICATED', message: 'The GitHub CLI is not logged in (`gh auth status` failed; run `gh auth login`); the branch is pushed.', isPushed: true, commands: [create] };
  }
  const created = await run(create.slice(1));
  if (created.exitCode !== 0) {
    const said = `${String(created.stderr ?? '')}${String(created.stdout ?? '')}`.trim().slice(0, 1000);
    return { status: 'not-opened', code: 'PULL_REQUEST_FAILED', message: `gh pr create failed${said === '' ? '' : `: ${said}`}`, isPushed: true, commands: [create] };
  }
  const url = String(created.stdout ?? '')
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .reverse()
    .find((line) => /^https?:\/\//.test(line));
  return { status: 'opened', url: url ?? String(created.stdout ?? '').trim(), isPushed: true };
}

function isMissing(result: { failed?: boolean | undefined; code?: string | undefined; exitCode?: number | undefined }): boolean {
  return result.code === 'ENOENT' || (result.failed === true && result.exitCode === undefined);
}
