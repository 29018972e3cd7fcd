const isWindows = process.platform === 'win32';

/**
 * Sends `signal` to the whole process group led by `pid` (the child was spawned `detached`,
 * so its group id is its pid). Only the group is signalled, never a lone pid that may have
 * been reused. Returns false when no such group exists any more.
 */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(isWindows ? pid : -pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group led by `pid` is still alive. */
export function isProcessGroupAlive(pid: number): boolean {
  try {
    process.kill(isWindows ? pid : -pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
