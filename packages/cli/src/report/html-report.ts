import type { ContractReport, PreflightReport, RunSummary, TaskResult, TaskStatus, Verdict } from '@qoder-orch/core';
import { formatCost, formatDuration, formatTokens } from '../render/format';
import { escapeHtml } from './escape-html';
import { REPORT_CSS } from './report-styles';
import type { RunReport } from './run-report';
import { STATUS_COLORS } from './status-colors';
import { renderTaskGraphSvg } from './task-graph-svg';
import { renderTimelineSvg } from './timeline-svg';

const RUN_STATUS_COLORS: Record<string, string> = { met: '#2e7d32', 'not-met': '#ef6c00', failed: '#c62828', cancelled: '#6d6d6d', running: '#1565c0' };

const badge = (text: string, color: string) => `<span class="badge" style="background:${color}">${escapeHtml(text)}</span>`;
const card = (label: string, value: string) => `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value">${value}</div></div>`;

function legend(): string {
  const entries: Array<[string, string]> = [
    ['completed', STATUS_COLORS.completed],
    ['failed', STATUS_COLORS.failed],
    ['blocked', STATUS_COLORS.blocked],
    ['cancelled', STATUS_COLORS.cancelled],
    ['not run', STATUS_COLORS.planned],
  ];
  return `<div class="legend">${entries.map(([label, color]) => `<span><i style="background:${color}"></i>${escapeHtml(label)}</span>`).join('')}<span><i style="background:#c62828;border-radius:0;clip-path:polygon(0 0,100% 0,50% 100%)"></i>retry</span></div>`;
}

function preflightSection(report: PreflightReport | undefined): string {
  if (!report) return '';
  const rows = report.checks
    .map((check) => {
      const mark = check.status === 'pass' ? '<span class="ok">pass</span>' : check.status === 'warn' ? '<span class="warn">warn</span>' : '<span class="bad">fail</span>';
      return `<tr><td>${mark}</td><td>${escapeHtml(check.label)}</td><td>${escapeHtml(check.message)}${check.fix && check.status !== 'pass' ? `<br><span class="muted">fix: ${escapeHtml(check.fix)}</span>` : ''}</td></tr>`;
    })
    .join('');
  return `<h2>Validation report</h2><div class="panel"><table><tr><th>Result</th><th>Check</th><th>Detail</th></tr>${rows}</table></div>`;
}

function checksTable(result: TaskResult): string {
  if (result.verification.length === 0) return '<div class="muted">No verification commands ran.</div>';
  const rows = result.verification
    .map((check) => {
      const outcome = check.passed ? '<span class="ok">passed</span>' : `<span class="bad">failed${check.isTimedOut ? ' (timed out)' : ''}</span>`;
      const output = check.outputTail.trim() ? `<details${check.passed ? '' : ' open'}><summary>output</summary><pre>${escapeHtml(check.outputTail)}</pre></details>` : '';
      return `<tr><td><code>${escapeHtml(check.command.join(' '))}</code>${output}</td><td>${escapeHtml(check.phase)}</td><td>${outcome}</td><td class="num">${escapeHtml(check.exitCode ?? '-')}</td><td class="num">${escapeHtml(formatDuration(check.durationMs))}</td></tr>`;
    })
    .join('');
  return `<table><tr><th>Check</th><th>Phase</th><th>Result</th><th class="num">Exit</th><th class="num">Time</th></tr>${rows}</table>`;
}

function taskSection(result: TaskResult, report: RunReport): string {
  const color = STATUS_COLORS[result.status];
  const retries = report.retries.filter((retry) => retry.taskId === result.taskId);
  const rollbacks = report.rollbacks.filter((rollback) => rollback.taskId === result.taskId);
  const conflict = report.conflicts.find((entry) => entry.taskId === result.taskId);
  const title = report.plans.flatMap((entry) => entry.plan.tasks).find((task) => task.id === result.taskId)?.title ?? '';
  const facts = [
    `agent <b>${escapeHtml(result.agent)}</b>`,
    `iteration ${escapeHtml(result.iteration)}`,
    `${escapeHtml(result.attempts)} attempt${result.attempts === 1 ? '' : 's'}`,
    escapeHtml(formatDuration(result.durationMs)),
    `${escapeHtml(formatTokens(result.usage.inputTokens))} in / ${escapeHtml(formatTokens(result.usage.outputTokens))} out`,
    escapeHtml(formatCost(result.costUsd)),
    ...(result.slot === undefined ? [] : [`slot ${escapeHtml(result.slot)}`]),
    ...(result.commit ? [`commit <code>${escapeHtml(result.commit.slice(0, 12))}</code>`] : []),
  ];
  const parts = [
    `<div class="task" style="border-left-color:${color}">`,
    `<h3>${escapeHtml(result.taskId)} ${badge(result.status, color)} <span class="muted">${escapeHtml(title)}</span></h3>`,
    `<div class="facts">${facts.join(' · ')}</div>`,
  ];
  if (result.error) parts.push(`<div class="bad">${escapeHtml(`${result.error.code}: ${result.error.message}`)}</div>${result.error.fix ? `<div class="muted">fix: ${escapeHtml(result.error.fix)}</div>` : ''}`);
  if (result.blockedBy?.length) parts.push(`<div class="warn">blocked by ${escapeHtml(result.blockedBy.join(', '))}</div>`);
  if (retries.length > 0) {
    parts.push(`<div><b>Retries</b><ul>${retries.map((retry) => `<li>${escapeHtml(`attempt ${retry.attempt} after ${formatDuration(retry.delayMs)}: ${retry.error.code}: ${retry.error.message}`)}</li>`).join('')}</ul></div>`);
  }
  for (const rollback of rollbacks) parts.push(`<div class="warn">${escapeHtml(`rolled back to ${rollback.checkpoint.slice(0, 12)}: ${rollback.reason}`)}</div>`);
  if (conflict) parts.push(`<div class="bad">${escapeHtml(`merge conflict in ${conflict.files.join(', ')}`)}</div>`);
  parts.push(
    `<div><b>Diff stat</b>: ${escapeHtml(result.filesChanged.length)} file${result.filesChanged.length === 1 ? '' : 's'} changed${
      result.filesChanged.length > 0
        ? `<ul>${result.filesChanged
            .slice(0, 50)
            .map((file) => `<li><code>${escapeHtml(file)}</code></li>`)
            .join('')}${result.filesChanged.length > 50 ? `<li class="muted">… ${escapeHtml(result.filesChanged.length - 50)} more</li>` : ''}</ul>`
        : ''
    }</div>`,
  );
  parts.push(`<div><b>Verification</b> (run by the orchestrator)</div>${checksTable(result)}`);
  if (result.summary) {
    parts.push(`<details><summary>The agent's own summary (a claim${result.agentClaimedSuccess ? ', it claimed success' : ''})</summary><pre>${escapeHtml(result.summary)}</pre></details>`);
  }
  parts.push('</div>');
  return parts.join('\n');
}

function verdictSection(verdicts: RunReport['verdicts']): string {
  if (verdicts.length === 0) return '<h2>Judge</h2><p class="muted">The judge did not run.</p>';
  const blocks = verdicts.map(({ iteration, verdict }: { iteration: number; verdict: Verdict }) => {
    const rows = verdict.criteria
      .map((criterion) => `<tr><td>${criterion.isMet ? '<span class="ok">met</span>' : '<span class="bad">not met</span>'}</td><td>${escapeHtml(criterion.criterion)}</td><td><pre>${escapeHtml(criterion.evidence)}</pre></td></tr>`)
      .join('');
    const followUps = verdict.followUpTasks.length
      ? `<div><b>Follow-up tasks</b><ul>${verdict.followUpTasks.map((task) => `<li><code>${escapeHtml(task.id)}</code> [${escapeHtml(task.agent)}] ${escapeHtml(task.title)}</li>`).join('')}</ul></div>`
      : '';
    return [
      '<div class="panel" style="margin-bottom:10px">',
      `<h3>Iteration ${escapeHtml(iteration)}: ${verdict.isMet ? badge('objective met', STATUS_COLORS.completed) : badge('objective not met', STATUS_COLORS.failed)} <span class="muted">basis: ${escapeHtml(verdict.basis)}</span></h3>`,
      `<p>${escapeHtml(verdict.reasoning)}</p>`,
      rows ? `<table><tr><th>Result</th><th>Criterion</th><th>Evidence</th></tr>${rows}</table>` : '<p class="muted">No criteria given.</p>',
      followUps,
      '</div>',
    ].join('\n');
  });
  return `<h2>Judge's verdict</h2>${blocks.join('\n')}`;
}

function contractSection(report: ContractReport | undefined): string {
  if (!report) return '<h2>API contract verification</h2><p class="muted">Not checked in this run.</p>';
  const rows = report.findings
    .map(
      (finding) =>
        `<tr><td>${finding.severity === 'error' ? '<span class="bad">error</span>' : '<span class="warn">warning</span>'}</td><td>${escapeHtml(finding.kind)}</td><td><code>${escapeHtml(`${finding.method.toUpperCase()} ${finding.path}`)}</code></td><td>${escapeHtml(finding.message)}</td><td>${escapeHtml(finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''}` : '')}</td></tr>`,
    )
    .join('');
  return [
    '<h2>API contract verification</h2><div class="panel">',
    `<p>${report.isPassed ? '<span class="ok">PASSED</span>' : '<span class="bad">FAILED</span>'}, contract: ${escapeHtml(report.contractSource ?? 'none found')}; ${escapeHtml(report.contract.length)} endpoints in the contract, ${escapeHtml(report.backend.length)} served by the backend, ${escapeHtml(report.frontend.length)} called by the frontend.</p>`,
    rows ? `<table><tr><th>Severity</th><th>Kind</th><th>Endpoint</th><th>Message</th><th>Where</th></tr>${rows}</table>` : '<p class="ok">Frontend, backend and contract agree.</p>',
    '</div>',
  ].join('\n');
}

/**
 * A self-contained HTML page for one run: header with totals, the task graph, the timeline,
 * the judge's verdict with its evidence, the contract report and every task's result. No
 * scripts and no external assets; every string from the run is escaped.
 */
export function renderHtmlReport(report: RunReport, options: { generatedAt?: string } = {}): string {
  const summary = report.summary;
  const status = summary?.status ?? 'running';
  const tasks = report.plans.flatMap((entry) => entry.plan.tasks);
  const latest = new Map<string, TaskStatus>();
  for (const result of report.results) latest.set(result.taskId, result.status);
  const totalCost = summary?.costUsd ?? report.results.reduce((sum, result) => sum + result.costUsd, 0);
  const inputTokens = summary?.usage.inputTokens ?? report.results.reduce((sum, result) => sum + result.usage.inputTokens, 0);
  const outputTokens = summary?.usage.outputTokens ?? report.results.reduce((sum, result) => sum + result.usage.outputTokens, 0);
  const counts = summary?.tasks;
  const cards = [
    card('Result', badge(status === 'not-met' ? 'not met' : status, RUN_STATUS_COLORS[status] ?? '#607d8b')),
    card('Tasks', counts ? `${escapeHtml(counts.completed)} / ${escapeHtml(counts.total)} done` : escapeHtml(report.results.length)),
    card('Failed / blocked', counts ? `${escapeHtml(counts.failed)} / ${escapeHtml(counts.blocked)}` : '-'),
    card('Iterations', escapeHtml(summary?.iterations ?? report.plans.length)),
    card('Wall time', escapeHtml(summary ? formatDuration(summary.durationMs) : '-')),
    card('Cost', escapeHtml(formatCost(totalCost))),
    card('Tokens in / out', `${escapeHtml(formatTokens(inputTokens))} / ${escapeHtml(formatTokens(outputTokens))}`),
    card('Cache hit rate', escapeHtml(summary?.cacheHitRate === undefined ? 'n/a' : `${Math.round(summary.cacheHitRate * 100)}%`)),
    ...(summary?.branch ? [card('Branch', escapeHtml(`${summary.branch.name}${summary.branch.head ? ` at ${summary.branch.head.slice(0, 12)}` : ''}`))] : []),
  ];
  const stopped = summary && summary.stopReason !== 'met' ? ` · stopped: ${summary.stopReason}` : '';
  const error = summary?.error ? `<div class="panel bad" style="margin-top:14px">${escapeHtml(`${summary.error.code}: ${summary.error.message}`)}</div>` : '';
  const warnings = report.warnings.length ? `<h2>Warnings</h2><div class="panel"><ul>${report.warnings.map((warning) => `<li><b>${escapeHtml(warning.code)}</b>: ${escapeHtml(warning.message)}</li>`).join('')}</ul></div>` : '';
  const planSummaries = report.plans
    .filter((entry) => entry.plan.summary)
    .map((entry) => `<p><b>Iteration ${escapeHtml(entry.iteration)}</b>: ${escapeHtml(entry.plan.summary)}</p>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qoder-orch run ${escapeHtml(report.runId)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><div class="wrap">
<h1>qoder-orch run <code>${escapeHtml(report.runId)}</code></h1>
<div class="objective">${escapeHtml(report.objective)}</div>
<div class="meta">${escapeHtml(report.projectDir ?? '')} · started ${escapeHtml(report.startedAt ?? '-')} · ended ${escapeHtml(report.endedAt ?? '-')}${escapeHtml(stopped)}</div>
</div></header>
<main>
<div class="cards">${cards.join('')}</div>
${error}
${checksSection(summary)}
${preflightSection(report.preflight)}
<h2>Task graph</h2>
${planSummaries}
<div class="panel">${renderTaskGraphSvg(tasks, (taskId) => latest.get(taskId) ?? 'planned')}${legend()}</div>
<h2>Timeline</h2>
<div class="panel">${renderTimelineSvg(report.results, report.retries, report.startedAt, report.endedAt)}${legend()}</div>
${verdictSection(report.verdicts)}
${contractSection(report.contract)}
<h2>Tasks</h2>
${report.results.length > 0 ? report.results.map((result) => taskSection(result, report)).join('\n') : '<p class="muted">No task results.</p>'}
${warnings}
<footer>Generated by qoder-orchestrate${options.generatedAt ? ` at ${escapeHtml(options.generatedAt)}` : ''}. Statuses and checks are measured by the orchestrator; agent summaries are claims.</footer>
</main>
</body>
</html>
`;
}

/** Changes to the checks and conflicting work that has not landed: evidence against the run, shown to the user. */
function checksSection(summary: RunSummary | undefined): string {
  const changes = summary?.checkChanges ?? [];
  const unlanded = (summary?.conflicts ?? []).filter((conflict) => !conflict.isLanded);
  if (changes.length === 0 && unlanded.length === 0) return '';
  const accepted = summary?.isCheckChangeAccepted === true;
  const changeItems = changes
    .map((change) => `<li>${change.isBlocking && !accepted ? '✗' : '!'} <code>${escapeHtml(change.path)}</code>: ${escapeHtml(change.detail)}${change.taskId ? ` (task ${escapeHtml(change.taskId)})` : ''}</li>`)
    .join('');
  const conflictItems = unlanded
    .map((conflict) => `<li>task ${escapeHtml(conflict.taskId)}: kept at <code>${escapeHtml(conflict.ref)}</code> (<code>git diff ${escapeHtml(conflict.baseCommit.slice(0, 12))} ${escapeHtml(conflict.ref)}</code>)</li>`)
    .join('');
  return [
    changes.length > 0 ? `<h2>Changes to the checks${accepted ? ' (accepted)' : ''}</h2><div class="panel${accepted ? '' : ' bad'}"><ul>${changeItems}</ul></div>` : '',
    unlanded.length > 0 ? `<h2>Conflicting work not on the integration branch</h2><div class="panel bad"><ul>${conflictItems}</ul></div>` : '',
  ].join('\n');
}
