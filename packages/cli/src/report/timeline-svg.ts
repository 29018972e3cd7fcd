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
  const { rows, rowOfTask } = layRows(timed);
  const height = AXIS_HEIGHT + rows.length * ROW_HEIGHT + 8;
  const width = LABEL_WIDTH + CHART_WIDTH + 20;

  const parts: string[] = [];
  for (let tick = 0; tick <= 5; tick += 1) {
    const x = LABEL_WIDTH + (tick / 5) * CHART_WIDTH;
    parts.push(`<line x1="${x}" y1="${AXIS_HEIGHT - 6}" x2="${x}" y2="${height - 4}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${AXIS_HEIGHT - 10}" class="axis" text-anchor="${tick === 0 ? 'start' : tick === 5 ? 'end' : 'middle'}">${escapeHtml(formatDuration((tick / 5) * span))}</text>`);
  }
  rows.forEach((row, index) => {
    const y = AXIS_HEIGHT + index * ROW_HEIGHT;
    parts.push(`<text x="6" y="${y + ROW_HEIGHT / 2 + 4}" class="axis">${row.lane === 0 ? `slot ${row.slot}` : `slot ${row.slot}·${row.lane + 1}`}</text>`);
  });
  for (const result of timed) {
    const row = rowOfTask.get(result) ?? 0;
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
  for (const retry of retries) {
    const time = Date.parse(retry.timestamp);
    const result = timed.find((candidate) => candidate.taskId === retry.taskId);
    if (!Number.isFinite(time) || result === undefined) continue;
    const x = xOf(Math.min(end, Math.max(start, time)));
    const y = AXIS_HEIGHT + (rowOfTask.get(result) ?? 0) * ROW_HEIGHT + 3;
    parts.push(`<path class="retry" d="M${(x - 5).toFixed(1)},${y} L${(x + 5).toFixed(1)},${y} L${x.toFixed(1)},${y + 8} z"><title>${escapeHtml(`${retry.taskId}: retry, attempt ${retry.attempt}`)}</title></path>`);
  }
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Timeline">\n${parts.join('\n')}\n</svg>`;
}

/**
 * One row per slot, and more where a slot's tasks overlap in time: a task gives its slot back
 * once its work is committed, so the next task runs in it while the first one's merge and
 * checks finish. Each task takes the slot's first row free at its start.
 */
function layRows(timed: readonly TaskResult[]): { rows: Array<{ slot: number; lane: number }>; rowOfTask: Map<TaskResult, number> } {
  const bySlot = new Map<number, TaskResult[]>();
  for (const result of timed) bySlot.set(result.slot ?? 0, [...(bySlot.get(result.slot ?? 0) ?? []), result]);
  const rows: Array<{ slot: number; lane: number }> = [];
  const rowOfTask = new Map<TaskResult, number>();
  for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
    const laneEnds: number[] = [];
    const laneOf = new Map<TaskResult, number>();
    for (const result of [...(bySlot.get(slot) ?? [])].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!))) {
      const startedAt = Date.parse(result.startedAt!);
      let lane = laneEnds.findIndex((laneEnd) => laneEnd <= startedAt);
      if (lane === -1) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = Date.parse(result.endedAt!);
      laneOf.set(result, lane);
    }
    const first = rows.length;
    laneEnds.forEach((_, lane) => rows.push({ slot, lane }));
    for (const [result, lane] of laneOf) rowOfTask.set(result, first + lane);
  }
  return { rows, rowOfTask };
}
