import { killProcessGroup } from './kill-process-group';
import { processesWithEnvironment } from './process-liveness';

/** The variable that tags every process of one agent run (inherited by all its descendants). */
export const RUN_TAG_VARIABLE = 'QODER_ORCH_PROCESS_TAG';

/**
 * Signals everything an agent run started: its process group, and (on Linux) every process that
 * still carries the run's tag in its environment. The tag catches what the group cannot: Claude
 * Code's Bash tool starts commands in their own sessions, and after the CLI dies they are
 * re-parented, so neither the group nor the parent chain reaches them any more. Answers whether
 * it found anything to signal: when it did not, nothing of the run can start later either (only
 * a process of the run starts processes with its tag).
 */
export function killProcessTree(pid: number | undefined, tag: string, signal: NodeJS.Signals): { isAnythingLeft: boolean } {
  const hadGroup = pid !== undefined && killProcessGroup(pid, signal);
  const tagged = processesWithEnvironment(RUN_TAG_VARIABLE, tag);
  for (const taggedPid of tagged) {
    try {
      process.kill(taggedPid, signal);
    } catch {
      // Already gone.
    }
  }
  return { isAnythingLeft: hadGroup || tagged.length > 0 };
}
