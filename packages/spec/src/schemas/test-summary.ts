import { z } from 'zod';

/** Counts a test runner printed about its own run, read from its output by the orchestrator. */
export const TestSummarySchema = z.object({
  /** Which runner's summary format matched. */
  runner: z.enum(['node-test', 'vitest', 'jest', 'mocha', 'pytest', 'go-test', 'cargo-test']),
  passed: z.number().int().nonnegative().optional(),
  failed: z.number().int().nonnegative().optional(),
  skipped: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
  /** The runner's own summary lines, as printed (trimmed, at most a few). */
  lines: z.array(z.string()).default([]),
});
export type TestSummary = z.infer<typeof TestSummarySchema>;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]/g;

const num = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number.parseInt(text, 10));

/** The last match of `pattern` (global) in `text`. */
function lastMatch(text: string, pattern: RegExp): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  for (const match of text.matchAll(pattern)) last = match as RegExpExecArray;
  return last;
}

/** `11 passed`, `1 failed` … in a comma or pipe separated list. */
function countsIn(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/(\d+)\s+([a-z]+)/gi)) counts[match[2]!.toLowerCase()] = (counts[match[2]!.toLowerCase()] ?? 0) + Number.parseInt(match[1]!, 10);
  return counts;
}

function nodeTest(text: string): TestSummary | undefined {
  // TAP (`# tests 12`) and the spec reporter (`ℹ tests 12`).
  const field = (name: string) => lastMatch(text, new RegExp(`^\\s*(?:#|ℹ)\\s*${name} (\\d+)\\s*$`, 'gm'));
  const tests = field('tests');
  if (!tests) return undefined;
  const pass = field('pass');
  const fail = field('fail');
  const skipped = num(field('skipped')?.[1]) ?? 0;
  const todo = num(field('todo')?.[1]) ?? 0;
  return {
    runner: 'node-test',
    total: num(tests[1]),
    ...(pass ? { passed: num(pass[1]) } : {}),
    ...(fail ? { failed: num(fail[1]) } : {}),
    skipped: skipped + todo,
    lines: [tests, pass, fail].filter((match) => match !== undefined).map((match) => match[0].trim()),
  };
}

function vitest(text: string): TestSummary | undefined {
  const line = lastMatch(text, /^\s*Tests\s{2,}(.*\(\d+\).*)$/gm);
  if (!line) return undefined;
  const counts = countsIn(line[1]!.replace(/\(\d+\)/, ''));
  const total = /\((\d+)\)/.exec(line[1]!);
  const files = lastMatch(text, /^\s*Test Files\s{2,}.*$/gm);
  return {
    runner: 'vitest',
    passed: counts.passed ?? 0,
    failed: counts.failed ?? 0,
    skipped: (counts.skipped ?? 0) + (counts.todo ?? 0),
    ...(total ? { total: num(total[1]) } : {}),
    lines: [files?.[0].trim(), line[0].trim()].filter((value): value is string => value !== undefined),
  };
}

function jest(text: string): TestSummary | undefined {
  const line = lastMatch(text, /^\s*Tests:\s+(.*\d+ total.*)$/gm);
  if (!line) return undefined;
  const counts = countsIn(line[1]!);
  const suites = lastMatch(text, /^\s*Test Suites:\s+.*$/gm);
  return {
    runner: 'jest',
    passed: counts.passed ?? 0,
    failed: counts.failed ?? 0,
    skipped: (counts.skipped ?? 0) + (counts.todo ?? 0),
    ...(counts.total === undefined ? {} : { total: counts.total }),
    lines: [suites?.[0].trim(), line[0].trim()].filter((value): value is string => value !== undefined),
  };
}

function mocha(text: string): TestSummary | undefined {
  const passing = lastMatch(text, /^\s*(\d+) passing\b.*$/gm);
  if (!passing) return undefined;
  const after = text.slice(passing.index);
  const failing = /^\s*(\d+) failing\b.*$/m.exec(after);
  const pending = /^\s*(\d+) pending\b.*$/m.exec(after);
  return {
    runner: 'mocha',
    passed: num(passing[1]),
    failed: num(failing?.[1]) ?? 0,
    skipped: num(pending?.[1]) ?? 0,
    lines: [passing, pending, failing].filter((match) => match !== null && match !== undefined).map((match) => match![0].trim()),
  };
}

function pytest(text: string): TestSummary | undefined {
  // `===== 1 failed, 11 passed, 2 skipped in 0.12s =====`, or `-q`'s bare `11 passed in 0.10s`.
  const line = lastMatch(text, /^=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)(?:, )?)+) in [\d.]+s\b.*$/gm);
  if (!line) return undefined;
  const counts = countsIn(line[1]!);
  return {
    runner: 'pytest',
    passed: counts.passed ?? 0,
    failed: (counts.failed ?? 0) + (counts.error ?? 0) + (counts.errors ?? 0),
    skipped: (counts.skipped ?? 0) + (counts.xfailed ?? 0),
    lines: [line[0].trim()],
  };
}

function goTest(text: string): TestSummary | undefined {
  const okPackages = [...text.matchAll(/^ok\s+\S+/gm)].length;
  const failedPackages = [...text.matchAll(/^FAIL\s+\S+\s+[\d.]+s/gm)].length + [...text.matchAll(/^FAIL\s+\S+\s+\[(?:build|setup) failed\]/gm)].length;
  if (okPackages + failedPackages === 0) return undefined;
  const passedTests = [...text.matchAll(/^\s*--- PASS: /gm)].length;
  const failedTests = [...text.matchAll(/^\s*--- FAIL: /gm)].length;
  const skippedTests = [...text.matchAll(/^\s*--- SKIP: /gm)].length;
  const hasTestLines = passedTests + failedTests + skippedTests > 0;
  return {
    runner: 'go-test',
    ...(hasTestLines ? { passed: passedTests, failed: failedTests, skipped: skippedTests } : { failed: failedTests }),
    lines: [`packages: ${okPackages} ok, ${failedPackages} failed`, ...[...text.matchAll(/^\s*--- FAIL: .*$/gm)].slice(0, 5).map((match) => match[0].trim())],
  };
}

function cargoTest(text: string): TestSummary | undefined {
  const lines = [...text.matchAll(/^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored.*$/gm)];
  if (lines.length === 0) return undefined;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const match of lines) {
    passed += Number.parseInt(match[2]!, 10);
    failed += Number.parseInt(match[3]!, 10);
    skipped += Number.parseInt(match[4]!, 10);
  }
  return { runner: 'cargo-test', passed, failed, skipped, total: passed + failed + skipped, lines: lines.slice(-3).map((match) => match[0].trim()) };
}

const PARSERS = [nodeTest, vitest, jest, mocha, pytest, cargoTest, goTest];

/**
 * The runner's own pass/fail summary in a check's output, for the common runners (node
 * --test, vitest, jest, mocha, pytest, go test, cargo test). Undefined when none is found.
 * The output is a program's, so it is only ever read as counts, never as instructions.
 */
export function parseTestSummary(output: string): TestSummary | undefined {
  const text = output.replace(ANSI, '').replace(/\r\n?/g, '\n');
  for (const parse of PARSERS) {
    const summary = parse(text);
    if (summary) return TestSummarySchema.parse({ ...summary, lines: summary.lines.map((line) => line.slice(0, 200)).slice(0, 6) });
  }
  return undefined;
}

/** One line for people and the judge: `node-test: 11 passed, 1 failed, 0 skipped of 12`. */
export function describeTestSummary(summary: TestSummary): string {
  const parts: string[] = [];
  if (summary.passed !== undefined) parts.push(`${summary.passed} passed`);
  if (summary.failed !== undefined) parts.push(`${summary.failed} failed`);
  if (summary.skipped !== undefined) parts.push(`${summary.skipped} skipped`);
  const counts = parts.length > 0 ? parts.join(', ') : 'no counts';
  return `${summary.runner}: ${counts}${summary.total === undefined ? '' : ` of ${summary.total}`}`;
}
