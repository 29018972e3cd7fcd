import type { PreflightCheck, PreflightReport } from './preflight-report';

const symbols: Record<PreflightCheck['status'], string> = { pass: '✓', warn: '⚠', fail: '✗' };

/**
 * The report as plain text: a `VALIDATION REPORT` block with one `✓` / `⚠` / `✗` line per check,
 * the fix under each warning and failure, and a closing verdict. No colours (the CLI adds them).
 *
 * ```
 * VALIDATION REPORT
 * ✓ Git installed: git 2.43.0
 * ✗ Git repository: /work/app is not a git repository: …
 *     fix: Run `git init` in /work/app (and commit your files), then run again.
 * RESULT: FAILED (1 failure, 0 warnings)
 * ```
 */
export function formatPreflightReport(report: PreflightReport): string {
  const lines = ['VALIDATION REPORT', '='.repeat('VALIDATION REPORT'.length)];
  for (const check of report.checks) {
    const [first = '', ...rest] = check.message.split('\n');
    lines.push(`${symbols[check.status]} ${check.label}: ${first}`);
    for (const line of rest) lines.push(`    ${line}`);
    if (check.status !== 'pass' && check.fix !== undefined) lines.push(`    fix: ${check.fix}`);
  }
  const failures = report.checks.filter((check) => check.status === 'fail').length;
  const warnings = report.checks.filter((check) => check.status === 'warn').length;
  const counts = `${failures} failure${failures === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  lines.push('-'.repeat('VALIDATION REPORT'.length));
  if (!report.isPassed) lines.push(`RESULT: FAILED (${counts}${failures === 0 ? '; warnings are fatal' : ''})`);
  else lines.push(warnings > 0 ? `RESULT: PASSED with warnings (${counts})` : `RESULT: PASSED (${report.checks.length} checks)`);
  return `${lines.join('\n')}\n`;
}
