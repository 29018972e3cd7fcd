import { type ContractReport, type EventEnvelope, type PreflightReport, redactOutput, type TaskResult } from '@qoder-orch/core';
import type { CliOutput } from '../cli/cli-io';
import { renderContractReport } from './contract-block';
import { clockOf, describeActivity, formatCost, formatDuration, oneLine } from './format';
import { LiveProgress } from './live-progress';
import { renderPlan } from './plan-block';
import { renderPlanCommands } from './plan-commands-block';
import { renderSummary } from './summary-block';
import type { Style } from './terminal-style';
import { renderValidationReport } from './validation-report-block';
import { terminalSafe, terminalSafeText } from './terminal-safe';

export interface ConsoleRendererOptions {
  output: CliOutput;
  style: Style;
  /** A terminal: live block redrawn in place. Otherwise plain timestamped lines. */
  isLive: boolean;
  /** Every agent action and every git step, not only starts and ends. */
  isVerbose: boolean;
  /** Values hidden from anything printed (agent text can echo the environment). */
  secretValues?: readonly string[];
  /** Overrides for the report blocks (e.g. core's own formatters). */
  formatPreflightReport?: (report: PreflightReport, style: Style) => string;
  formatContractReport?: (report: ContractReport, style: Style) => string;
  /** @default Date.now */
  now?: () => number;
}

const END_MARK: Record<TaskResult['status'], string> = { completed: '✓', failed: '✗', blocked: '⊘', cancelled: '■', pending: '·', running: '·' };

/**
 * Turns the orchestrator's events into what a person reads: the VALIDATION REPORT, the plan,
 * live progress, API CONTRACT VERIFICATION and the ORCHESTRATION SUMMARY.
 */
export class ConsoleRenderer {
  readonly #options: ConsoleRendererOptions;
  readonly #style: Style;
  readonly #live: LiveProgress | undefined;
  readonly #cwdOf = new Map<string, string>();
  readonly #lastLineOf = new Map<string, string>();
  #isClosed = false;
  #lastContractKey: string | undefined;

  constructor(options: ConsoleRendererOptions) {
    this.#options = options;
    this.#style = options.style;
    this.#live = options.isLive ? new LiveProgress({ output: options.output, style: options.style, ...(options.now ? { now: options.now } : {}) }) : undefined;
  }

  /** Renders one event. Never throws: a rendering bug must not stop a run. */
  handle(event: EventEnvelope): void {
    if (this.#isClosed) return;
    try {
      this.#handle(terminalSafe(event));
    } catch (error) {
      this.#line(event.timestamp, this.#style.yellow(`(could not render ${event.type}: ${error instanceof Error ? error.message : String(error)})`));
    }
  }

  /** A warning from outside the event stream (e.g. the context store), printed above the live block. */
  warn(code: string, message: string): void {
    if (this.#isClosed) return;
    this.#line(new Date().toISOString(), this.#style.yellow(`! ${code}: ${this.#redact(terminalSafeText(message))}`));
  }

  /** Removes the live block. */
  close(): void {
    this.#live?.stop();
    this.#isClosed = true;
  }

  #redact(text: string): string {
    return redactOutput(text, this.#options.secretValues ?? []);
  }

  #print(text: string): void {
    if (this.#live) this.#live.print(text);
    else this.#options.output.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  #block(text: string): void {
    this.#print(`\n${text}\n`);
  }

  #line(timestamp: string, text: string): void {
    this.#print(this.#live ? text : `[${clockOf(timestamp)}] ${text}`);
  }

  #handle(event: EventEnvelope): void {
    const style = this.#style;
    const verbose = this.#options.isVerbose;
    switch (event.type) {
      case 'run-start':
        this.#print(`${style.bold('qoder-orchestrate')} ${event.isResumed ? 'resuming' : 'run'} ${style.cyan(event.runId)}\n  objective: ${this.#redact(oneLine(event.objective, 300))}\n  project:   ${event.projectDir}`);
        return;
      case 'preflight-end':
        this.#block((this.#options.formatPreflightReport ?? renderValidationReport)(event.report, style));
        return;
      case 'context-refresh-end': {
        const result = event.result;
        this.#line(event.timestamp, `context ${result.version}: ${result.added} added, ${result.modified} changed, ${result.removed} removed, ${result.unchanged} unchanged (${result.ranking} ranking, ${formatDuration(result.durationMs)})`);
        if (result.ranking === 'lexical') this.#line(event.timestamp, style.yellow('! the embedding model could not be loaded; context is ranked by keywords'));
        return;
      }
      case 'plan-start':
        this.#line(
          event.timestamp,
          `planning${event.iteration > 1 ? ` follow-ups for iteration ${event.iteration}` : ''}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}…${event.timeoutMs === undefined ? '' : style.dim(` (each model call may take up to ${formatDuration(event.timeoutMs)})`)}`,
        );
        return;
      case 'plan-retry':
        this.#line(
          event.timestamp,
          style.yellow(
            event.reason === 'invalid-answer'
              ? `↻ planning: the answer of attempt ${event.attempt} was unusable (${oneLine(this.#redact(event.message), 160)}); asking again with its problems`
              : `↻ planning: the model call failed (${event.code}: ${oneLine(this.#redact(event.message), 120)}); trying again in ${formatDuration(event.delayMs)}`,
          ),
        );
        return;
      case 'plan-end':
        this.#live?.setTotals(event.plan.tasks.length);
        this.#block(renderPlan(event.plan, event.iteration, style, { attempts: event.attempts, costUsd: event.costUsd }));
        if (!this.#live) this.#line(event.timestamp, `running ${event.plan.tasks.length} tasks`);
        return;
      case 'plan-commands':
        this.#block(this.#redact(renderPlanCommands(event.commands, style)));
        return;
      case 'task-start':
        this.#cwdOf.set(event.taskId, event.cwd);
        if (this.#live) {
          this.#live.start({ taskId: event.taskId, agent: event.agent, attempt: event.attempt, startedAtMs: Date.parse(event.timestamp) || Date.now() });
          if (verbose) this.#line(event.timestamp, style.dim(`▶ ${event.taskId} [${event.agent}] in ${event.cwd}`));
        } else {
          this.#line(event.timestamp, `▶ ${event.taskId} [${event.agent}] started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}, slot ${event.slot}${verbose ? `, in ${event.cwd}` : ''}: ${oneLine(event.title, 80)}`);
        }
        return;
      case 'task-output': {
        // A tool finishing is not news; what it did (the tool call) stays the latest activity.
        if (event.event.type === 'tool-result' && !event.event.isError && !verbose) return;
        const activity = this.#redact(describeActivity(event.event, this.#cwdOf.get(event.taskId)));
        if (!activity) return;
        if (this.#live) {
          this.#live.activity(event.taskId, activity);
          if (verbose && event.event.type !== 'tool-result') this.#line(event.timestamp, style.dim(`  ${event.taskId}: ${oneLine(activity, 160)}`));
        } else if (verbose || event.event.type === 'retry') {
          const line = oneLine(activity, 160);
          if (this.#lastLineOf.get(event.taskId) === line) return;
          this.#lastLineOf.set(event.taskId, line);
          this.#line(event.timestamp, `  ${event.taskId}: ${line}`);
        }
        return;
      }
      case 'task-retry':
        this.#live?.activity(event.taskId, `retrying in ${formatDuration(event.delayMs)}`);
        this.#line(event.timestamp, style.yellow(`↻ ${event.taskId} failed (${event.error.code}: ${oneLine(this.#redact(event.error.message), 100)}); attempt ${event.attempt} in ${formatDuration(event.delayMs)}`));
        return;
      case 'task-end': {
        const result = event.result;
        this.#live?.end(event.taskId, result.status === 'completed' ? 'done' : result.status === 'failed' ? 'failed' : 'other');
        const paint = result.status === 'completed' ? style.green : result.status === 'failed' ? style.red : style.yellow;
        const details = [
          formatDuration(result.durationMs),
          `${result.filesChanged.length} file${result.filesChanged.length === 1 ? '' : 's'} changed`,
          formatCost(result.costUsd),
          ...(result.attempts > 1 ? [`${result.attempts} attempts`] : []),
        ];
        let text = `${paint(`${END_MARK[result.status]} ${event.taskId} ${result.status}`)} [${result.agent}] ${style.dim(details.join(', '))}`;
        if (result.error && result.status !== 'completed')
          text += `\n    ${style.red(oneLine(this.#redact(`${result.error.code}: ${result.error.message}`), 160))}${result.error.fix ? `\n    ${style.dim(`fix: ${oneLine(result.error.fix, 160)}`)}` : ''}`;
        if (result.blockedBy?.length) text += `\n    ${style.dim(`blocked by ${result.blockedBy.join(', ')}`)}`;
        const failedChecks = result.verification.filter((check) => !check.passed);
        for (const check of failedChecks.slice(0, 3)) {
          text += `\n    ${check.isRefused ? style.yellow(`check refused by the command policy, not run: ${check.command.join(' ')}`) : style.red(`check failed: ${check.command.join(' ')} (exit ${check.exitCode ?? 'none'}${check.isTimedOut ? ', timed out' : ''})`)}`;
        }
        this.#line(event.timestamp, text);
        return;
      }
      case 'checkpoint-end':
        if (verbose) this.#line(event.timestamp, style.dim(`  checkpoint for ${event.taskId}: ${event.checkpoint.slice(0, 12)} (${event.ref})`));
        return;
      case 'rollback-end':
        this.#line(event.timestamp, style.yellow(`⟲ ${event.taskId} rolled back to ${event.checkpoint.slice(0, 12)}: ${oneLine(event.reason, 120)}`));
        return;
      case 'merge-end':
        if (event.hasConflict) this.#line(event.timestamp, style.red(`⚠ merge conflict for ${event.taskId} in ${event.conflictFiles.join(', ')}`));
        else if (verbose) this.#line(event.timestamp, style.dim(`  merged ${event.taskId}${event.commit ? ` as ${event.commit.slice(0, 12)}` : ' (no changes)'}`));
        return;
      case 'check-change':
        for (const change of event.changes) this.#line(event.timestamp, (change.isBlocking ? style.red : style.yellow)(`⚠ ${event.taskId} changed the checks: ${oneLine(`${change.path}: ${change.detail}`, 140)}`));
        return;
      case 'undeclared-change':
        this.#line(event.timestamp, style.yellow(`! ${event.taskId} changed files it did not declare: ${oneLine(event.files.join(', '), 140)}`));
        return;
      case 'conflict-kept':
        this.#line(event.timestamp, style.red(`⚠ ${event.taskId}'s conflicting work is kept at ${event.ref} (git diff ${event.baseCommit.slice(0, 12)} ${event.ref})`));
        return;
      case 'verify-end':
        if (!event.isPassed || verbose) {
          const passed = event.results.filter((check) => check.passed).length;
          const text = `  ${event.taskId}: ${passed}/${event.results.length} checks passed`;
          this.#line(event.timestamp, event.isPassed ? style.dim(text) : style.red(text));
        }
        return;
      case 'contract-end': {
        // The check runs after every task that touches either side: the full block when its
        // outcome changes (and always with --verbose), one line when it is the same again.
        const report = event.report;
        const key = JSON.stringify([report.isPassed, report.contractSource, report.contract.length, report.backend.length, report.frontend.length, report.findings]);
        if (key !== this.#lastContractKey || verbose) {
          this.#lastContractKey = key;
          this.#block((this.#options.formatContractReport ?? renderContractReport)(report, style));
        } else {
          const errors = report.findings.filter((finding) => finding.severity === 'error').length;
          this.#line(
            event.timestamp,
            style.dim(`contract check: unchanged, ${report.isPassed ? 'PASSED' : 'FAILED'} (${errors} error${errors === 1 ? '' : 's'}, ${report.findings.length - errors} warning${report.findings.length - errors === 1 ? '' : 's'})`),
          );
        }
        return;
      }
      case 'judge-end': {
        const verdict = event.verdict;
        const text = `judge (iteration ${event.iteration}): ${verdict.isMet ? style.green('objective met') : style.red('objective not met')}: ${oneLine(this.#redact(verdict.reasoning), 200)}`;
        this.#line(event.timestamp, text + (verdict.followUpTasks.length > 0 ? `\n  ${verdict.followUpTasks.length} follow-up task(s): ${verdict.followUpTasks.map((task) => task.id).join(', ')}` : ''));
        return;
      }
      case 'iteration-end':
        this.#line(event.timestamp, `iteration ${event.iteration} done: ${event.completed} completed, ${event.failed} failed, ${event.blocked} blocked${event.isProgress ? '' : style.yellow(' (no progress)')}`);
        return;
      case 'run-paused': {
        const when = `${new Date(event.resumesAt).toLocaleString()} (${formatDuration(Math.max(0, Date.parse(event.resumesAt) - Date.parse(event.timestamp)))})`;
        const what = event.onUsageLimit === 'exit' ? `stopping; resume after ${when}` : `paused; continues by itself at ${when}`;
        this.#line(event.timestamp, style.yellow(`⏸ ${event.providerId} reached its usage limit: ${what}. ${oneLine(this.#redact(event.reason), 120)}`));
        return;
      }
      case 'run-resumed':
        this.#line(event.timestamp, style.green(`▶ ${event.providerId}: usage limit over after ${formatDuration(event.pausedMs)}; continuing`));
        return;
      case 'concurrency-change':
        this.#line(event.timestamp, style.yellow(`parallel tasks ${event.from} → ${event.to}: ${event.reason}`));
        return;
      case 'warning':
        this.#line(event.timestamp, style.yellow(`! ${event.code}: ${this.#redact(event.message)}`));
        return;
      case 'run-end':
        this.#live?.stop();
        this.#block(renderSummary(event.summary, style, { width: this.#options.output.columns ?? 100 }));
        return;
      default:
        return;
    }
  }
}
