import { describe, expect, it } from 'vitest';
import type { RepositoryGuard } from '../git/repository-guard';
import type { RollbackManager } from '../git/rollback-manager';
import { TamperingWatch } from './tampering-watch';

/** A watch over a run with no checkout watched: a look reads nothing, which is all the queueing below needs. */
function watch(): TamperingWatch {
  return new TamperingWatch({ root: '/nonexistent', rollback: {} as RollbackManager, warnings: [], requireRun: () => 'run', runningTaskIds: () => [] });
}

/** A queue held shut until `open`: jobs wait in it, in order. */
function heldQueue() {
  const jobs: Array<() => Promise<void>> = [];
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  let tail: Promise<void> = opened;
  return {
    jobs,
    open,
    schedule(job: () => Promise<void>): Promise<void> {
      jobs.push(job);
      const done = tail.then(job);
      tail = done;
      return done;
    },
  };
}

describe('TamperingWatch.inspectAfter', () => {
  it('gives tasks that stop while a look waits in the queue that one look; a task that stops once it started gets its own', async () => {
    const subject = watch();
    const queue = heldQueue();
    const first = subject.inspectAfter('a', (job) => queue.schedule(job));
    const second = subject.inspectAfter('b', (job) => queue.schedule(job));
    expect(queue.jobs).toHaveLength(1);
    queue.open();
    await Promise.all([first, second]);
    const third = subject.inspectAfter('c', (job) => queue.schedule(job));
    expect(queue.jobs).toHaveLength(2);
    await third;
  });
});

describe('TamperingWatch.checkGitFiles', () => {
  it('gives callers that ask while a guard check waits to start that one check; a caller that asks once it started gets its own', async () => {
    const subject = watch();
    let release: () => void = () => {};
    const checks: number[] = [];
    subject.guard({
      check: async () => {
        checks.push(checks.length);
        // The first check is held while the others ask.
        if (checks.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return [];
      },
    } as unknown as RepositoryGuard);
    const running = subject.checkGitFiles();
    await new Promise((resolve) => setImmediate(resolve));
    // Asked while the first check runs: one more check, started after all of them asked, serves them all.
    const waiting = [subject.checkGitFiles(), subject.checkGitFiles(), subject.checkGitFiles()];
    release();
    await Promise.all([running, ...waiting]);
    expect(checks).toHaveLength(2);
    await subject.checkGitFiles();
    expect(checks).toHaveLength(3);
  });
});
