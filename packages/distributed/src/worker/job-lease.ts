import type { Job } from 'bullmq';

/**
 * Keeps the lock on a job this worker took by hand (`getNextJob`), as BullMQ's own lock manager
 * does for the jobs it runs: renewed at half its duration until `stop`. A renewal that fails
 * (Redis away, or the lock already lost: the job may run elsewhere now) is reported each time;
 * the attempt goes on, and its result is refused if the lock is gone when it ends.
 */
export function holdJobLock(job: Job, token: string, durationMs: number, onFailure: (message: string) => void): { stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  const schedule = () => {
    if (!isStopped) timer = setTimeout(() => void renew(), Math.max(100, Math.floor(durationMs / 2)));
  };
  const renew = async () => {
    try {
      const extended = await job.extendLock(token, durationMs);
      if (!extended && !isStopped) onFailure(`The lock on job ${job.id} could not be renewed: another worker may take the attempt.`);
    } catch (error) {
      if (!isStopped) onFailure(`The lock on job ${job.id} could not be renewed: ${error instanceof Error ? error.message : String(error)}`);
    }
    schedule();
  };
  schedule();
  return {
    stop: () => {
      isStopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
