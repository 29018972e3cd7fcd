import type { ContractReport, EventEnvelope, Plan, PreflightReport, RunSummary, SerializedError, TaskResult, Verdict } from '@qoder-orch/core';

/** Everything report.html shows, gathered from a run's events. */
export interface RunReport {
  runId: string;
  objective: string;
  projectDir?: string;
  /** Absent while the run has not ended. */
  summary?: RunSummary;
  startedAt?: string;
  endedAt?: string;
  plans: Array<{ iteration: number; plan: Plan; costUsd: number }>;
  /** The last result of each task in each iteration. */
  results: TaskResult[];
  retries: Array<{ taskId: string; attempt: number; delayMs: number; error: SerializedError; timestamp: string }>;
  rollbacks: Array<{ taskId: string; checkpoint: string; reason: string; timestamp: string }>;
  conflicts: Array<{ taskId: string; files: string[] }>;
  verdicts: Array<{ iteration: number; verdict: Verdict }>;
  contract?: ContractReport;
  preflight?: PreflightReport;
  warnings: Array<{ code: string; message: string; timestamp: string }>;
}

/** Builds the report data from a run's event log (live or read back from events.ndjson). */
export function reportFromEvents(events: readonly EventEnvelope[]): RunReport {
  const report: RunReport = { runId: events[0]?.runId ?? 'unknown', objective: '', plans: [], results: [], retries: [], rollbacks: [], conflicts: [], verdicts: [], warnings: [] };
  const results = new Map<string, TaskResult>();
  for (const event of events) {
    switch (event.type) {
      case 'run-start':
        report.objective = event.objective;
        report.projectDir = event.projectDir;
        report.startedAt ??= event.timestamp;
        break;
      case 'preflight-end':
        report.preflight = event.report;
        break;
      case 'plan-end':
        report.plans = report.plans.filter((entry) => entry.iteration !== event.iteration);
        report.plans.push({ iteration: event.iteration, plan: event.plan, costUsd: event.costUsd });
        break;
      case 'task-retry':
        report.retries.push({ taskId: event.taskId, attempt: event.attempt, delayMs: event.delayMs, error: event.error, timestamp: event.timestamp });
        break;
      case 'task-end':
        results.set(`${event.result.iteration}\u0000${event.taskId}`, event.result);
        break;
      case 'rollback-end':
        report.rollbacks.push({ taskId: event.taskId, checkpoint: event.checkpoint, reason: event.reason, timestamp: event.timestamp });
        break;
      case 'merge-end':
        if (event.hasConflict) report.conflicts.push({ taskId: event.taskId, files: event.conflictFiles });
        break;
      case 'contract-end':
        report.contract = event.report;
        break;
      case 'judge-end':
        report.verdicts.push({ iteration: event.iteration, verdict: event.verdict });
        break;
      case 'warning':
        report.warnings.push({ code: event.code, message: event.message, timestamp: event.timestamp });
        break;
      case 'run-end':
        report.summary = event.summary;
        report.objective ||= event.summary.objective;
        report.startedAt = event.summary.startedAt;
        report.endedAt = event.summary.endedAt;
        break;
      default:
        break;
    }
  }
  // The summary's results are authoritative (they include blocked tasks that never started).
  report.results = report.summary ? report.summary.results : [...results.values()];
  const lastTimestamp = events.at(-1)?.timestamp;
  if (report.endedAt === undefined && lastTimestamp !== undefined) report.endedAt = lastTimestamp;
  return report;
}
