import { runGit } from '../git/run-git';

/** A ref a run left on the git remote: a worker's result branch or a published base. */
export interface RemoteRunRef {
  /** The full ref name on the remote (`refs/heads/qoder-orch/<run>/<task>/<attempt>`, `refs/qoder-orch/base/<run>/<commit>`). */
  ref: string;
  runId: string;
  kind: 'result' | 'base';
  /** A result branch's job id (`<run>/<task>/<attempt>`). */
  jobId?: string;
}

export interface PruneRemoteRefsOptions {
  /** A worktree or git folder of the project's repository (its local fetched results are pruned too). */
  cwd: string;
  /** The remote the coordinator and workers share: a remote name or a git URL. */
  remote: string;
  /** Whether a run's refs go (called once per run found on the remote or in the local fetched refs). */
  isPrunable: (runId: string) => boolean;
  /** List what would go, delete nothing. */
  isDryRun?: boolean;
  abortSignal?: AbortSignal;
}

export interface PruneRemoteRefsResult {
  /** Remote refs deleted (or, with `isDryRun`, that would be). */
  deleted: string[];
  /** Local refs of fetched results deleted. */
  deletedLocal: string[];
  /** Runs whose refs were kept. */
  keptRuns: string[];
}

const RESULT_PREFIX = 'refs/heads/qoder-orch/';
const BASE_PREFIX = 'refs/qoder-orch/base/';
const FETCHED_PREFIX = 'refs/qoder-orch/fetched/qoder-orch/';
/** Refs per `git push --delete` (an argument vector stays far below the system's limit). */
const REFS_PER_PUSH = 1000;

/** Parses a ref name a run leaves on the remote; undefined for anything else. */
export function runRefOf(ref: string): RemoteRunRef | undefined {
  if (ref.startsWith(RESULT_PREFIX)) {
    const parts = ref.slice(RESULT_PREFIX.length).split('/');
    if (parts.length !== 3 || parts.some((part) => part === '')) return undefined;
    return { ref, runId: parts[0]!, kind: 'result', jobId: parts.join('/') };
  }
  if (ref.startsWith(BASE_PREFIX)) {
    const parts = ref.slice(BASE_PREFIX.length).split('/');
    if (parts.length !== 2 || !/^[0-9a-f]{40}$/.test(parts[1]!)) return undefined;
    return { ref, runId: parts[0]!, kind: 'base' };
  }
  return undefined;
}

/** When a run id made by the orchestrator (`20261125-174512-ab12cd`, UTC) says its run started; undefined for other ids. */
export function runStartedAt(runId: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(runId);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The runs' refs on the remote (all runs' when `runIds` is not given): one `git ls-remote`. */
export async function listRemoteRunRefs(cwd: string, remote: string, runIds?: readonly string[], abortSignal?: AbortSignal): Promise<RemoteRunRef[]> {
  const patterns = runIds ? runIds.flatMap((runId) => [`${RESULT_PREFIX}${runId}/*`, `${BASE_PREFIX}${runId}/*`]) : [`${RESULT_PREFIX}*`, `${BASE_PREFIX}*`];
  if (patterns.length === 0) return [];
  const listed = await runGit(['ls-remote', '--quiet', remote, ...patterns], { cwd, ...(abortSignal ? { abortSignal } : {}) });
  const wanted = runIds ? new Set(runIds) : undefined;
  return listed.stdout
    .split('\n')
    .map((line) => runRefOf(line.split('\t')[1]?.trim() ?? ''))
    .filter((found): found is RemoteRunRef => found !== undefined && (wanted === undefined || wanted.has(found.runId)));
}

/** Deletes `refs` from the remote: one push (per thousand refs). A failure throws (git's message). */
export async function deleteRemoteRefs(cwd: string, remote: string, refs: readonly string[], abortSignal?: AbortSignal): Promise<void> {
  for (let start = 0; start < refs.length; start += REFS_PER_PUSH) {
    await runGit(['push', '--no-verify', '--quiet', remote, '--delete', ...refs.slice(start, start + REFS_PER_PUSH)], { cwd, ...(abortSignal ? { abortSignal } : {}) });
  }
}

/**
 * Deletes what runs that are over left on the shared git remote — workers' result branches and
 * published bases, which a coordinator that was killed never deleted — and the local refs its
 * results were fetched to, for every run `isPrunable` says may go (a finished run, or one older
 * than the caller's limit). One `git ls-remote` and one push.
 */
export async function pruneRemoteRefs(options: PruneRemoteRefsOptions): Promise<PruneRemoteRefsResult> {
  const { cwd, remote, abortSignal } = options;
  const remoteRefs = await listRemoteRunRefs(cwd, remote, undefined, abortSignal);
  const localListed = await runGit(['for-each-ref', '--format=%(refname)', FETCHED_PREFIX], { cwd });
  const localRefs = localListed.stdout
    .split('\n')
    .filter(Boolean)
    .map((ref) => ({ ref, runId: ref.slice(FETCHED_PREFIX.length).split('/')[0] ?? '' }));
  const decisions = new Map<string, boolean>();
  const isPrunable = (runId: string) => {
    if (!decisions.has(runId)) decisions.set(runId, options.isPrunable(runId));
    return decisions.get(runId)!;
  };
  const deleted = remoteRefs.filter((found) => isPrunable(found.runId)).map((found) => found.ref);
  const deletedLocal = localRefs.filter((found) => isPrunable(found.runId)).map((found) => found.ref);
  if (!options.isDryRun) {
    await deleteRemoteRefs(cwd, remote, deleted, abortSignal);
    if (deletedLocal.length > 0) await runGit(['update-ref', '--stdin'], { cwd, input: deletedLocal.map((ref) => `delete ${ref}\n`).join('') });
  }
  const keptRuns = [...decisions].filter(([, isGone]) => !isGone).map(([runId]) => runId);
  return { deleted, deletedLocal, keptRuns: keptRuns.sort() };
}
