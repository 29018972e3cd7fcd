import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * Ends (SIGKILL) every process whose working directory is inside `directory`, read from
 * `/proc` (Linux; elsewhere nothing is found). A run killed with SIGKILL cannot stop its agents,
 * and an agent still working in a task's worktree when the run resumes would write into a tree
 * that is being rolled back. Returns the pids it ended.
 */
export function endProcessesWorkingIn(directory: string): number[] {
  let root: string;
  let entries: string[];
  try {
    root = realpathSync(directory);
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const ended: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== root && !cwd.startsWith(root + sep)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (state === 'Z' || state === 'X') continue;
      process.kill(Number(entry), 'SIGKILL');
      ended.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to see.
    }
  }
  return ended;
}
