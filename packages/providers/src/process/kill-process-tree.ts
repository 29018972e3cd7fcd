import { killProcessGroup } from './kill-process-group';
import { processesWithEnvironment } from './process-liveness';

/** The variable that tags every process of one agent run (inherited by all its descendants). */
export const RUN_TAG_VARIABLE = 'QODER_ORCH_PROCESS_TAG';

/**
 * Signals everything an agent run started: its process group, and (on Linux) every process that
 * still carries the run's tag in its environment. The tag catches what the group cannot: Claude
 * Code's Bash tool starts commands in their own sessions, and after the CLI dies they are
 * re-parented, so neither the group nor the parent chain reaches them any more.
 */
export function killProcessTree(pid: number | undefined, tag: string, signal: NodeJS.Signals): void {
  if (pid !== undefined) killProcessGroup(pid, signal);
  for (const tagged of processesWithEnvironment(RUN_TAG_VARIABLE, tag)) {
    try {
      process.kill(tagged, signal);
    } catch {
      // Already gone.
    }
  }
}
