import type { Queue } from 'bullmq';
import { runGit } from '../git/run-git';
import { listRemoteRunRefs } from './remote-ref-prune';

/** Job states in which an attempt still needs its base ref (it has not fetched it yet) or will push its branch. */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * What earlier coordinators of the same runs left on the remote (one killed before it closed,
 * say), found when a coordinator closes: the runs' base refs that no pending attempt still
 * needs, and their result branches that were brought back already (a local fetched ref of this
 * repository names them) or whose attempt is gone, failed or failed its task. Kept: a result
 * that finished but was never brought back (a resumed run collects it; a prune of the finished
 * run removes it), and anything of a pending attempt. `undefined` when the queue does not
 * answer in time (the refs stay for a prune).
 */
export async function leftoverRunRefs(input: { gitDir: string; remote: string; runIds: readonly string[]; queue: Queue; within: <T>(promise: Promise<T>) => Promise<T | undefined> }): Promise<string[] | undefined> {
  const { gitDir, remote, runIds, queue, within } = input;
  if (runIds.length === 0) return [];
  const found = await listRemoteRunRefs(gitDir, remote, runIds);
  if (found.length === 0) return [];
  const pending = await within(queue.getJobs([...PENDING_STATES]));
  if (pending === undefined) return undefined;
  const runs = new Set(runIds);
  const inUse = new Set(pending.filter((job) => job && runs.has(job.data?.runId)).flatMap((job) => [String(job.data.baseRef), `refs/heads/${String(job.data.branch)}`]));
  const fetched = await runGit(['--git-dir', gitDir, 'for-each-ref', '--format=%(refname)', ...runIds.map((runId) => `refs/qoder-orch/fetched/qoder-orch/${runId}/`)], { cwd: gitDir, isTolerant: true });
  const broughtBack = new Set(fetched.stdout.split('\n').map((ref) => ref.trim().replace('refs/qoder-orch/fetched/', 'refs/heads/')));
  const leftovers: string[] = [];
  for (const ref of found) {
    if (inUse.has(ref.ref)) continue;
    if (ref.kind === 'base' || broughtBack.has(ref.ref)) {
      leftovers.push(ref.ref);
      continue;
    }
    const job = await within(queue.getJob(ref.jobId!).then((got) => got ?? null));
    if (job === undefined) return undefined;
    const isUncollected = job !== null && (await within(job.getState())) === 'completed' && (job.returnvalue as { isOk?: unknown } | null)?.isOk === true;
    if (!isUncollected) leftovers.push(ref.ref);
  }
  return leftovers;
}
