import type { RunTaskOptions } from '@qoder-orch/spec';
import type { TaskJob } from '../job/task-job';

/** A task id as a ref and job id piece (a batch's `a+b` becomes `a_b`). */
export function refSafe(taskId: string): string {
  const safe = taskId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128);
  return /^[A-Za-z0-9]/.test(safe) ? safe : `t${safe.slice(0, 127)}`;
}

/** The agent settings of a task attempt that travel with its job (the ones given). */
export function pick(options: RunTaskOptions): Partial<TaskJob> {
  const { model, systemPrompt, allowedTools, disallowedTools, permissionMode, maxTurns, maxBudgetUsd, timeoutMs } = options;
  const picked = { model, systemPrompt, allowedTools: allowedTools ? [...allowedTools] : undefined, disallowedTools: disallowedTools ? [...disallowedTools] : undefined, permissionMode, maxTurns, maxBudgetUsd, timeoutMs };
  return Object.fromEntries(Object.entries(picked).filter(([, value]) => value !== undefined));
}
