import type { AgentEvent, Usage } from '@qoder-orch/core';

/** `850ms`, `3.2s`, `1m 05s`, `1h 02m`. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) return '-';
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `$0.0000` below a cent keeps four decimals, otherwise two. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return '-';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** `950`, `12.3k`, `4.5M`. */
export function formatTokens(count: number): string {
  if (count < 1000) return String(Math.round(count));
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)}k`;
  return `${(count / 1_000_000).toFixed(1)}M`;
}

export function formatUsage(usage: Usage): string {
  return `${formatTokens(usage.inputTokens)} in / ${formatTokens(usage.outputTokens)} out`;
}

/** `HH:MM:SS` of an ISO timestamp, in UTC so logs from CI and laptops line up. */
export function clockOf(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? '--:--:--' : date.toISOString().slice(11, 19);
}

/** One line, at most `width` characters, with an ellipsis when cut. */
export function oneLine(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text
    .replace(/\u001B\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (width <= 1) return flat.slice(0, Math.max(0, width));
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

export function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function fileOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const record = input as Record<string, unknown>;
  for (const key of ['file_path', 'path', 'notebook_path', 'pattern', 'command', 'url', 'query']) {
    const value = record[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** What an agent is doing, in a few words: `Edit src/server.js`, `thinking: …`, `API retry 2/10`. */
export function describeActivity(event: AgentEvent, cwd?: string): string {
  switch (event.type) {
    case 'tool-call': {
      let target = fileOf(event.input) ?? '';
      if (cwd && target.startsWith(`${cwd}/`)) target = target.slice(cwd.length + 1);
      return target ? `${event.toolName} ${target}` : event.toolName;
    }
    case 'tool-result':
      return event.isError ? `tool failed: ${event.output}` : 'tool done';
    case 'text':
      return event.text;
    case 'retry':
      return `API retry ${event.attempt}${event.maxRetries === undefined ? '' : `/${event.maxRetries}`}${event.errorStatus === undefined ? '' : ` (HTTP ${event.errorStatus})`}`;
    case 'status':
      return event.message;
    default:
      return '';
  }
}
