import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { runGit } from '../git/run-git';
import { ResultFetcher } from './result-fetcher';

/** A fixed date for snapshot commits: the same worktree state always gives the same commit id. */
const FIXED_DATE = '2000-01-01T00:00:00Z';

/**
 * The exact state a task starts from, as a commit: HEAD when the worktree is clean, otherwise a
 * commit on top of HEAD of everything in it (tracked and untracked, not ignored) — a worktree
 * prepared with conflicted work merged in, for instance. Made through a temporary index, so the
 * worktree's own index is untouched.
 */
export async function snapshotWorktree(cwd: string): Promise<string> {
  return (await snapshotState(cwd)).commit;
}

/** {@link snapshotWorktree}, and whether the worktree was clean at HEAD (its index is the commit, freshly refreshed). */
export async function snapshotState(cwd: string): Promise<{ commit: string; isClean: boolean }> {
  // The usual case, a clean worktree at the integration branch's head: one git call (HEAD's id is in the header), no snapshot.
  const status = (await runGit(['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all'], { cwd })).stdout.split('\0').filter(Boolean);
  const head = status.find((line) => line.startsWith('# branch.oid '))?.slice('# branch.oid '.length) ?? '';
  if (!/^[0-9a-f]{40}$/.test(head)) throw new OrchestratorError({ code: 'GIT_ERROR', message: `The task's worktree has no commit to start from (${cwd}).` });
  if (status.every((line) => line.startsWith('# '))) return { commit: head, isClean: true };
  return { commit: await snapshotCommit(cwd, head), isClean: false };
}

async function snapshotCommit(cwd: string, head: string): Promise<string> {
  const indexFile = join(tmpdir(), `qoder-orch-snapshot-${randomUUID()}.index`);
  try {
    const env = { GIT_INDEX_FILE: indexFile };
    await runGit(['read-tree', 'HEAD'], { cwd, env });
    await runGit(['add', '-A', '--', '.'], { cwd, env });
    const tree = (await runGit(['write-tree'], { cwd, env })).stdout.trim();
    const headTree = (await runGit(['rev-parse', 'HEAD^{tree}'], { cwd })).stdout.trim();
    if (tree === headTree) return head;
    const dated = { GIT_AUTHOR_DATE: FIXED_DATE, GIT_COMMITTER_DATE: FIXED_DATE };
    return (await runGit(['commit-tree', tree, '-p', head, '-m', 'qoder-orch: the state a remote task starts from'], { cwd, env: dated })).stdout.trim();
  } finally {
    await rm(indexFile, { force: true });
  }
}

/** Pushes `commit` to `remote` as `ref` (forced; the ref is named for the commit). */
export async function publishBase(cwd: string, remote: string, commit: string, ref: string, abortSignal?: AbortSignal): Promise<void> {
  const pushed = await runGit(['push', '--no-verify', '--quiet', remote, `+${commit}:${ref}`], { cwd, isTolerant: true, ...(abortSignal ? { abortSignal } : {}) });
  if (pushed.exitCode !== 0)
    throw new OrchestratorError({
      code: 'REMOTE_PUSH_FAILED',
      message: `Could not publish the task's base commit to the remote: ${pushed.stderr.trim().slice(-300)}`,
      fix: 'Check that the coordinator can push to the git remote the workers use (--remote).',
    });
}

/**
 * Brings a worker's commit into the local worktree as uncommitted changes on top of `base`, so
 * the pipeline checks, commits and merges it exactly as it would a local agent's work. The
 * branch is fetched and must be what the worker reported, and a descendant of the base the
 * attempt ran on: `recordedBase` when that is not the worktree's `base` (a resumed run collects
 * an attempt that finished while the integration branch moved on). Then the worker's commit is
 * merged three-way into `base` (git merge-tree: the merge base is where both came from) and the
 * merged tree is what the worktree gets; a conflict brings nothing and answers false (the
 * attempt is to run again on the new base).
 */
export async function applyRemoteResult(input: {
  cwd: string;
  remote: string;
  branch: string;
  base: string;
  commit: string;
  /** The base the worker ran the attempt on, when it is not `base`. */
  recordedBase?: string;
  abortSignal?: AbortSignal;
  fetcher?: ResultFetcher;
  /** The worktree was clean at `base` when it was snapshotted (and nothing touched it since): its index is `base` already. */
  isCleanBase?: boolean;
}): Promise<boolean> {
  const { cwd, remote, branch, base, commit } = input;
  const ranOn = input.recordedBase ?? base;
  const invalid = (message: string) => new OrchestratorError({ code: 'REMOTE_RESULT_INVALID', message, fix: 'Check the worker and the git remote; the attempt can be run again.' });
  // Fetched together with the other results that arrive meanwhile (see ResultFetcher).
  const fetcher = input.fetcher ?? new ResultFetcher(remote);
  const { tip, parents } = await fetcher.fetch(cwd, branch);
  if (!input.fetcher) await fetcher.clear();
  if (tip !== commit) throw invalid(`The branch ${branch} is at ${tip.slice(0, 12)}, not at the commit the worker reported (${commit.slice(0, 12)}).`);
  // The usual case, one commit on top of the base, needs no merge-base.
  const isDescendant = tip === ranOn || parents.includes(ranOn) || (await runGit(['merge-base', '--is-ancestor', ranOn, commit], { cwd, isTolerant: true })).exitCode === 0;
  if (!isDescendant) throw invalid(`The worker's commit ${commit.slice(0, 12)} does not build on the task's base ${ranOn.slice(0, 12)}.`);
  let target = commit;
  if (ranOn !== base) {
    // Exit 0: merged cleanly (the first line is the tree); 1: conflicts; anything else: git failed.
    const merged = await runGit(['merge-tree', '--write-tree', '--no-messages', base, commit], { cwd, isTolerant: true });
    if (merged.exitCode === 1) return false;
    if (merged.exitCode !== 0) throw new OrchestratorError({ code: 'GIT_ERROR', message: `Could not merge the worker's commit ${commit.slice(0, 12)} into ${base.slice(0, 12)}: ${merged.stderr.trim().slice(-300)}` });
    target = merged.stdout.split('\n')[0]!.trim();
  }
  // The index as the base (the files already are), then a two-tree read that moves files, deletions included, to the worker's.
  if (!input.isCleanBase) {
    await runGit(['read-tree', base], { cwd });
    await runGit(['update-index', '-q', '--refresh'], { cwd, isTolerant: true });
  }
  await runGit(['read-tree', '-m', '-u', base, target], { cwd });
  return true;
}
