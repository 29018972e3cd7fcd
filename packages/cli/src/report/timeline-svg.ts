import type { TaskResult } from '@qoder-orch/core';
import { formatDuration } from '../render/format';
import { escapeHtml } from './escape-html';
import { STATUS_COLORS } from './status-colors';

const LABEL_WIDTH = 70;
const ROW_HEIGHT = 34;
const BAR_HEIGHT = 22;
const AXIS_HEIGHT = 26;
const CHART_WIDTH = 860;

export interface TimelineRetry {
  taskId: string;
  attempt: number;
  timestamp: string;
}

/**
 * A Gantt chart of when each task ran on which parallel slot (from TaskResult startedAt /
 * endedAt / slot), with a mark at every retry.
 */
export function renderTimelineSvg(results: readonly TaskResult[], retries: readonly TimelineRetry[], runStart?: string, runEnd?: string): string {
  const timed = results.filter((result) => result.startedAt && result.endedAt);
  if (timed.length === 0) return '<p class="muted">No task ran.</p>';
  const times = timed.flatMap((result) => [Date.parse(result.startedAt!), Date.parse(result.endedAt!)]);
  const start = Math.min(...times, ...(runStart ? [Date.parse(runStart)] : []).filter(Number.isFinite));
  const end = Math.max(...times, ...(runEnd ? [Date.parse(runEnd)] : []).filter(Number.isFinite));
  const span = Math.max(1, end - start);
  const xOf = (time: number) => LABEL_WIDTH + ((time - start) / span) * CHART_WIDTH;
  const slots = [...new Set(timed.map((result) => result.slot ?? 0))].sort((a, b) => a - b);
  const rowOf = new Map(slots.map((slot, index) => [slot, index]));
  const height = AXIS_HEIGHT + slots.length * ROW_HEIGHT + 8;
  const width = LABEL_WIDTH + CHART_WIDTH + 20;

  const parts: string[] = [];
  for (let tick = 0; tick <= 5; tick += 1) {
    const x = LABEL_WIDTH + (tick / 5) * CHART_WIDTH;
    parts.push(`<line x1="${x}" y1="${AXIS_HEIGHT - 6}" x2="${x}" y2="${height - 4}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${AXIS_HEIGHT - 10}" class="axis" text-anchor="${tick === 0 ? 'start' : tick === 5 ? 'end' : 'middle'}">${escapeHtml(formatDuration((tick / 5) * span))}</text>`);
  }
  slots.forEach((slot, index) => {
    const y = AXIS_HEIGHT + index * ROW_HEIGHT;
    parts.push(`<text x="6" y="${y + ROW_HEIGHT / 2 + 4}" class="axis">slot ${slot}</text>`);
  });
  for (const result of timed) {
    const row = rowOf.get(result.slot ?? 0) ?? 0;
    const x1 = xOf(Date.parse(result.startedAt!));
    const x2 = Math.max(x1 + 3, xOf(Date.parse(result.endedAt!)));
    const y = AXIS_HEIGHT + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2;
    const color = STATUS_COLORS[result.status];
    const label = result.iteration > 1 ? `${result.taskId} #${result.iteration}` : result.taskId;
    const title = `${label} [${result.agent}] ${result.status}, ${formatDuration(result.durationMs)}${result.attempts > 1 ? `, ${result.attempts} attempts` : ''}`;
    parts.push(`<g class="bar"><title>${escapeHtml(title)}</title><rect x="${x1.toFixed(1)}" y="${y}" width="${(x2 - x1).toFixed(1)}" height="${BAR_HEIGHT}" rx="4" fill="${color}"/>`);
    const room = x2 - x1 - 8;
    if (room > 30) {
      const characters = Math.floor(room / 6.6);
      const text = label.length <= characters ? label : `${label.slice(0, Math.max(1, characters - 1))}…`;
      parts.push(`<text x="${(x1 + 5).toFixed(1)}" y="${y + 15}" class="bar-label">${escapeHtml(text)}</text>`);
    }
    parts.push('</g>');
  }
  const slotOfTask = new Map(timed.map((result) => [result.taskId, result.slot ?? 0]));
  for (const retry of retries) {
    const time = Date.parse(retry.timestamp);
    const slot = slotOfTask.get(retry.taskId);
    if (!Number.isFinite(time) || slot === undefined) continue;
    const x = xOf(Math.min(end, Math.max(start, time)));
    const y = AXIS_HEIGHT + (rowOf.get(slot) ?? 0) * ROW_HEIGHT + 3;
    parts.push(`<path class="retry" d="M${(x - 5).toFixed(1)},${y} L${(x + 5).toFixed(1)},${y} L${x.toFixed(1)},${y + 8} z"><title>${escapeHtml(`${retry.taskId}: retry, attempt ${retry.attempt}`)}</title></path>`);
  }
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Timeline">\n${parts.join('\n')}\n</svg>`;
}
