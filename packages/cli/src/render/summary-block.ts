import type { RunSummary, TaskResult } from '@qoder-orch/core';
import { heading } from './heading';
import { formatCost, formatDuration, formatTokens, oneLine, padEnd } from './format';
import type { Style } from './terminal-style';

const STATUS_WORD: Record<RunSummary['status'], string> = { met: 'MET', 'not-met': 'NOT MET', failed: 'FAILED', cancelled: 'CANCELLED' };

function statusPaint(status: TaskResult['status'] | RunSummary['status'], style: Style): (text: string) => string {
  if (status === 'completed' || status === 'met') return style.green;
  if (status === 'failed') return style.red;
  return style.yellow;
}

/** ORCHESTRATION SUMMARY: counts, cache hit rate, tokens and cost per task and in total, wall time. */
export function renderSummary(summary: RunSummary, style: Style, options: { width?: number } = {}): string {
  const lines = [heading('Orchestration summary', style)];
  const status = statusPaint(summary.status, style)(STATUS_WORD[summary.status]);
  lines.push(`Objective:      ${oneLine(summary.objective, Math.max(40, (options.width ?? 100) - 16))}`);
  lines.push(`Result:         ${status}${summary.stopReason === 'met' ? '' : ` (stopped: ${summary.stopReason})`}`);
  const tasks = summary.tasks;
  lines.push(`Tasks:          ${tasks.total} total, ${tasks.completed} completed, ${tasks.failed} failed, ${tasks.blocked} blocked${tasks.cancelled ? `, ${tasks.cancelled} cancelled` : ''}`);
  lines.push(`Iterations:     ${summary.iterations}`);
  lines.push(`Cache hit rate: ${summary.cacheHitRate === undefined ? 'n/a (no context source)' : `${Math.round(summary.cacheHitRate * 100)}%`}`);
  lines.push(`Wall time:      ${formatDuration(summary.durationMs)}`);
  lines.push('');

  const idWidth = Math.min(28, Math.max(20, ...summary.results.map((result) => result.taskId.length + (result.iteration > 1 ? 4 : 0))));
  const agentWidth = Math.min(16, Math.max(12, ...summary.results.map((result) => result.agent.length)));
  lines.push(style.dim(`${padEnd('Task', idWidth)}  ${padEnd('Agent', agentWidth)}  ${padEnd('Status', 10)} Tries  ${padEnd('Time', 8)} ${padEnd('Tokens in/out', 16)} Cost`));
  for (const result of summary.results) {
    const id = result.iteration > 1 ? `${result.taskId} #${result.iteration}` : result.taskId;
    const tokens = `${formatTokens(result.usage.inputTokens)} / ${formatTokens(result.usage.outputTokens)}`;
    const statusText = statusPaint(result.status, style)(padEnd(result.status, 10));
    lines.push(
      `${padEnd(oneLine(id, idWidth), idWidth)}  ${padEnd(oneLine(result.agent, agentWidth), agentWidth)}  ${statusText} ${padEnd(String(result.attempts), 5)}  ${padEnd(formatDuration(result.durationMs), 8)} ${padEnd(tokens, 16)} ${formatCost(result.costUsd)}`,
    );
    if (result.error && result.status !== 'completed') lines.push(`${' '.repeat(idWidth + 2)}${style.red(oneLine(`${result.error.code}: ${result.error.message}`, 90))}`);
    if (result.blockedBy?.length) lines.push(`${' '.repeat(idWidth + 2)}${style.dim(`blocked by ${result.blockedBy.join(', ')}`)}`);
  }
  lines.push(`${padEnd('Planning and judging', idWidth + agentWidth + 30)} ${padEnd('', 16)} ${formatCost(summary.overheadCostUsd)}`);
  const totalTokens = `${formatTokens(summary.usage.inputTokens)} / ${formatTokens(summary.usage.outputTokens)}`;
  lines.push(style.bold(`${padEnd('Total', idWidth + agentWidth + 30)} ${padEnd(totalTokens, 16)} ${formatCost(summary.costUsd)}`));
  if (summary.usage.cacheReadTokens) lines.push(style.dim(`Prompt cache: ${formatTokens(summary.usage.cacheReadTokens)} tokens read from cache`));
  if (summary.providers && summary.providers.length > 1) {
    lines.push('', style.dim('By provider'));
    const width = Math.min(48, Math.max(20, ...summary.providers.map((spend) => spend.providerId.length)));
    for (const spend of summary.providers) {
      const tokens = `${formatTokens(spend.usage.inputTokens)} / ${formatTokens(spend.usage.outputTokens)}`;
      lines.push(`${padEnd(oneLine(spend.providerId, width), width)}  ${padEnd(spend.purposes.join(', '), 18)} ${padEnd(tokens, 16)} ${formatCost(spend.costUsd)}`);
    }
  }

  if (summary.verdict) {
    lines.push('', `Judge: ${summary.verdict.isMet ? style.green('objective met') : style.red('objective not met')} (${summary.verdict.basis})`);
    if (summary.verdict.reasoning) lines.push(`  ${oneLine(summary.verdict.reasoning, 200)}`);
    for (const criterion of summary.verdict.criteria) {
      lines.push(`  ${criterion.isMet ? style.green('✓') : style.red('✗')} ${oneLine(criterion.criterion, 90)}`);
    }
  }
  if (summary.checkChanges?.length) {
    const accepted = summary.isCheckChangeAccepted === true;
    lines.push('', accepted ? style.yellow('Changes to the checks (accepted):') : style.red('Changes to the checks (count against the run; accept with --accept-check-changes):'));
    for (const change of summary.checkChanges.slice(0, 20)) {
      lines.push(`  ${change.isBlocking && !accepted ? style.red('✗') : style.yellow('!')} ${oneLine(`${change.path}: ${change.detail}${change.taskId ? ` (task ${change.taskId})` : ''}`, 110)}`);
    }
  }
  for (const result of summary.results) {
    if (result.undeclaredFiles?.length) lines.push(style.yellow(`Task ${result.taskId} changed files it did not declare: ${oneLine(result.undeclaredFiles.join(', '), 100)}`));
  }
  const unlanded = (summary.conflicts ?? []).filter((conflict) => !conflict.isLanded);
  if (unlanded.length > 0) {
    lines.push('', style.red('Conflicting work not on the integration branch:'));
    for (const conflict of unlanded) lines.push(`  ${conflict.taskId}: kept at ${conflict.ref} (git diff ${conflict.baseCommit.slice(0, 12)} ${conflict.ref})`);
  }
  if (summary.error) lines.push('', style.red(`Error: ${summary.error.code}: ${summary.error.message}`));
  return lines.join('\n');
}
