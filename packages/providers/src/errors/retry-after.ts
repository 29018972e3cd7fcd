const UNIT_MS: Record<string, number> = { ms: 1, millisecond: 1, milliseconds: 1, s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000 };

const PATTERNS = [
  /retry[- ]after[:=\s]+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)?\b/i,
  /(?:retry|try again)\s+(?:in|after)\s+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)\b/i,
  /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)(s)"/i,
];

/**
 * The retry delay a failure message names ("retry after 30 seconds", "retry-after: 2",
 * "try again in 5s", Google's `"retryDelay": "7s"`), in ms. A bare number means seconds.
 */
export function parseRetryAfterMs(text: string): number | undefined {
  for (const pattern of PATTERNS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const value = Number(match[1]);
    const unit = (match[2] ?? 's').toLowerCase();
    const factor = UNIT_MS[unit] ?? 1000;
    if (Number.isFinite(value) && value >= 0) return Math.round(value * factor);
  }
  return undefined;
}
