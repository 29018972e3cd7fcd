import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';

interface LockContent {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
}

/** Whether a process with this id is alive on this machine. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const runLockFile = (commonDir: string) => join(commonDir, 'qoder-orch', 'run.lock');

/**
 * Takes the repository's run lock: one run at a time per repository. A lock left by a process
 * that is gone (a crash) is taken over and reported as stale.
 *
 * @returns the stale lock's run id, when one was taken over.
 * @throws OrchestratorError `GIT_ERROR` when another live process holds it.
 */
export async function acquireRunLock(commonDir: string, runId: string): Promise<{ staleRunId?: string }> {
  const file = runLockFile(commonDir);
  await mkdir(join(commonDir, 'qoder-orch'), { recursive: true });
  const existing = await readLock(file);
  let staleRunId: string | undefined;
  if (existing !== undefined) {
    const isOurs = existing.pid === process.pid && existing.host === hostname();
    if (!isOurs && existing.host === hostname() && isAlive(existing.pid)) {
      throw new OrchestratorError({
        code: 'GIT_ERROR',
        message: `Another qoder-orch run (${existing.runId}, process ${existing.pid}) is in progress in this repository.`,
        fix: `Wait for it to finish, or stop process ${existing.pid}; if it is not running, delete ${file}.`,
      });
    }
    if (existing.runId !== runId || !isOurs) staleRunId = existing.runId;
  }
  const content: LockContent = { runId, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(file, `${JSON.stringify(content)}\n`);
  return staleRunId === undefined ? {} : { staleRunId };
}

export async function releaseRunLock(commonDir: string, runId: string): Promise<void> {
  const file = runLockFile(commonDir);
  const existing = await readLock(file);
  if (existing?.runId === runId && existing.pid === process.pid) await rm(file, { force: true });
}

async function readLock(file: string): Promise<LockContent | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    if (typeof parsed.runId === 'string' && typeof parsed.pid === 'number' && typeof parsed.host === 'string') return parsed as LockContent;
  } catch {
    // A torn lock file is a crashed writer's: treat it as stale.
  }
  return { runId: 'unknown', pid: -1, host: hostname(), startedAt: '' };
}

/** The run holding the repository's run lock in a live process on this machine, if any. */
export async function activeRunId(commonDir: string): Promise<string | undefined> {
  const existing = await readLock(runLockFile(commonDir));
  if (existing === undefined || existing.host !== hostname() || !isAlive(existing.pid)) return undefined;
  return existing.runId;
}
