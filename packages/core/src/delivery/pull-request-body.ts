import type { ContractReport, Plan, RunSummary, TaskResult } from '@qoder-orch/spec';
import { fencedBlock, inlineCode } from './markdown-safe';

/** GitHub refuses bodies over 65 536 characters; the body stays well under. */
export const PULL_REQUEST_BODY_LIMIT = 60_000;

export interface PullRequestBodyInput {
  summary: RunSummary;
  /** The run's plans, one per iteration (the run state's `plans`): titles and checks of the tasks. */
  plans?: readonly Plan[];
  /** The last contract check of the run, when there was one. */
  contract?: ContractReport;
  /** Applied to the whole body last (the run's secret redaction). */
  redact?: (text: string) => string;
}

/** Whether a run is worth a pull request: it met its objective, or (not cancelled) at least one task's work landed on its branch. */
export function pullRequestWorthiness(summary: RunSummary): { isWorth: true } | { isWorth: false; reason: string } {
  if (summary.branch === undefined) return { isWorth: false, reason: 'the run did not work on a branch of its own' };
  if (summary.status === 'cancelled') return { isWorth: false, reason: 'the run was cancelled; resume it with --pr to deliver it' };
  if (summary.status === 'met') return { isWorth: true };
  if (landedResults(summary).length > 0) return { isWorth: true };
  return { isWorth: false, reason: `the run ended ${summary.status} (${summary.stopReason}) and no task's work landed on ${summary.branch.name}` };
}

function landedResults(summary: RunSummary): TaskResult[] {
  return summary.results.filter((result) => result.status === 'completed' && result.commit !== undefined);
}

/** The pull request's title: the objective's first line (plain text: titles are not rendered), marked when not met. */
export function pullRequestTitle(summary: RunSummary): string {
  const line = (summary.objective.split('\n').find((part) => part.trim() !== '') ?? summary.runId).replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  const title = line.length > 100 ? `${line.slice(0, 99)}…` : line;
  return summary.status === 'met' ? title : `[${summary.status}] ${title}`;
}

const money = (value: number) => `$${value.toFixed(4)}`;

/**
 * The body of the run's draft pull request, in Markdown: the objective, the plan, each task's
 * outcome and checks, the contract verdict, the judge's verdict and rationale, and the spend.
 * Every text a model, an agent, a command or the repository produced is in a code span or a
 * fenced block (`markdown-safe.ts`), so it renders as text, mentions no one and is capped.
 */
export function pullRequestBody(input: PullRequestBodyInput): string {
  const { summary } = input;
  const lines: string[] = [];
  lines.push(`Opened by qoder-orch for run \`${summary.runId}\`: **${summary.status}** (stop reason: ${summary.stopReason}), ${summary.iterations} iteration(s), ${summary.tasks.completed}/${summary.tasks.total} task(s) completed.`);
  lines.push('', 'Everything quoted below was written by a model, an agent or a command: review it as untrusted.', '', '## Objective', '', fencedBlock(summary.objective, 4000));
  lines.push('', '## Plan', '');
  const titles = new Map<string, string>();
  for (const [index, plan] of (input.plans ?? []).entries()) {
    lines.push(`Iteration ${index + 1}:`, '');
    for (const task of plan.tasks) {
      titles.set(task.id, task.title);
      const after = task.dependsOn.length > 0 ? ` (after ${task.dependsOn.map((id) => inlineCode(id, 64)).join(', ')})` : '';
      lines.push(`- ${inlineCode(task.id, 64)} ${inlineCode(task.title)} by ${inlineCode(task.agent, 64)}${after}`);
    }
    lines.push('');
  }
  if ((input.plans ?? []).length === 0) lines.push('(The plan is not available.)', '');
  lines.push('## Tasks', '');
  for (const result of summary.results) lines.push(...taskSection(result, titles.get(result.taskId)));
  if (summary.results.length === 0) lines.push('No task ran.', '');
  lines.push('## Contract', '', ...contractSection(input.contract), '');
  lines.push('## Verdict', '', ...verdictSection(summary), '');
  lines.push('## Cost', '', ...costSection(summary));
  if (summary.branch?.head !== undefined) lines.push('', `Branch \`${summary.branch.name.replace(/`/g, '')}\` at ${summary.branch.head.slice(0, 12)}.`);
  let body = `${lines.join('\n').trimEnd()}\n`;
  if (input.redact) body = input.redact(body);
  if (body.length > PULL_REQUEST_BODY_LIMIT) {
    // Cut at a line, then close whatever fence was open, so the rest cannot render.
    const cut = body.slice(0, PULL_REQUEST_BODY_LIMIT - 200);
    const kept = cut.slice(0, cut.lastIndexOf('\n'));
    const fence = '`'.repeat(Math.max(3, ...(kept.match(/`+/g) ?? []).map((run) => run.length + 1)));
    body = `${kept}\n${fence}\n\n(Cut at ${PULL_REQUEST_BODY_LIMIT} characters; the full record is in the run folder, .qoder-orch/runs/${summary.runId}/.)\n`;
  }
  return body;
}

function taskSection(result: TaskResult, title: string | undefined): string[] {
  const lines = [`### ${inlineCode(result.taskId, 64)} ${result.status}${title === undefined ? '' : ` — ${inlineCode(title)}`}`, ''];
  lines.push(`Agent ${inlineCode(result.agent, 64)}, ${result.attempts} attempt(s), ${money(result.costUsd)}${result.commit ? `, commit ${result.commit.slice(0, 12)}` : ''}.`);
  if (result.filesChanged.length > 0)
    lines.push(
      `Files: ${result.filesChanged
        .slice(0, 20)
        .map((file) => inlineCode(file, 120))
        .join(', ')}${result.filesChanged.length > 20 ? ` and ${result.filesChanged.length - 20} more` : ''}.`,
    );
  if (result.error) lines.push('', `Error ${inlineCode(result.error.code, 40)}:`, '', fencedBlock(result.error.message, 1000));
  for (const check of result.verification) {
    const outcome = check.isRefused ? 'refused' : check.passed ? 'passed' : check.isTimedOut ? 'timed out' : `failed (exit ${check.exitCode ?? 'none'})`;
    lines.push('', `- check ${inlineCode(check.command.join(' '))} (${check.phase}): ${outcome}`);
    if (!check.passed && check.outputTail.trim() !== '') lines.push('', fencedBlock(check.outputTail, 1500));
  }
  if (result.summary.trim() !== '') lines.push('', "The agent's own summary (a claim, not evidence):", '', fencedBlock(result.summary, 1500));
  lines.push('');
  return lines;
}

function contractSection(contract: ContractReport | undefined): string[] {
  if (contract === undefined) return ['No contract check ran.'];
  const errors = contract.findings.filter((finding) => finding.severity === 'error').length;
  const lines = [`${contract.isPassed ? 'Passed' : 'Failed'}: ${errors} error(s), ${contract.findings.length - errors} warning(s); ${contract.backend.length} backend route(s), ${contract.frontend.length} frontend call(s).`];
  const findings = contract.findings.slice(0, 20).map((finding) => `${finding.severity} ${finding.method} ${finding.path}${finding.file ? ` (${finding.file}${finding.line ? `:${finding.line}` : ''})` : ''}: ${finding.message}`);
  if (findings.length > 0) lines.push('', fencedBlock(findings.join('\n'), 4000));
  return lines;
}

function verdictSection(summary: RunSummary): string[] {
  const verdict = summary.verdict;
  if (verdict === undefined) return ['No verdict: the run ended before the judge.'];
  const lines = [`${verdict.isMet ? 'Met' : 'Not met'} (basis: ${verdict.basis}).`, '', 'Rationale:', '', fencedBlock(verdict.reasoning, 3000)];
  if (verdict.criteria.length > 0) {
    lines.push('', 'Criteria:', '');
    for (const criterion of verdict.criteria) lines.push(`- ${criterion.isMet ? 'met' : 'not met'}: ${inlineCode(criterion.criterion, 300)}`);
  }
  return lines;
}

function costSection(summary: RunSummary): string[] {
  const lines = [`${money(summary.costUsd)} in all (planning and judging ${money(summary.overheadCostUsd)}); ${summary.usage.inputTokens} input and ${summary.usage.outputTokens} output tokens; ${Math.round(summary.durationMs / 1000)} s.`];
  for (const spend of summary.providers ?? []) {
    lines.push(`- ${inlineCode(spend.providerId, 64)} (${spend.purposes.join(', ')}): ${money(spend.costUsd)}, ${spend.usage.inputTokens} in / ${spend.usage.outputTokens} out`);
  }
  return lines;
}
