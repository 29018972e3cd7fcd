import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PreflightCheck } from './preflight-report';
import { fail, pass, warn } from './check-result';

/** Free space on the file system of `directory` (where worktrees are created; it need not exist yet). */
export async function checkDiskSpace(directory: string, minimumMb: number): Promise<PreflightCheck> {
  const label = 'Disk space';
  let existing = directory;
  let info = await statfs(existing).catch((error: unknown) => error as Error);
  while (info instanceof Error && (info as NodeJS.ErrnoException).code === 'ENOENT' && dirname(existing) !== existing) {
    existing = dirname(existing);
    info = await statfs(existing).catch((error: unknown) => error as Error);
  }
  if (info instanceof Error) return warn('disk.space', label, `Free space could not be read: ${info.message}`, 'Make sure there is room for one copy of the project per parallel task.');
  const freeMb = Math.floor((Number(info.bavail) * Number(info.bsize)) / (1024 * 1024));
  const shown = freeMb >= 10_240 ? `${(freeMb / 1024).toFixed(1)} GB` : `${freeMb} MB`;
  if (freeMb < minimumMb) {
    const message = `${shown} free; worktrees for parallel tasks need at least ${minimumMb} MB.`;
    const fix = 'Free disk space, lower `execution.max_parallel`, or use `execution.isolation: shared`.';
    return freeMb < minimumMb / 4 ? fail('disk.space', label, message, fix) : warn('disk.space', label, message, fix);
  }
  return pass('disk.space', label, `${shown} free (${existing}).`);
}
