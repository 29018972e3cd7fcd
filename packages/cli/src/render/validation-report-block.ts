import type { PreflightReport } from '@qoder-orch/core';
import { heading } from './heading';
import { padEnd } from './format';
import type { Style } from './terminal-style';

/** The VALIDATION REPORT: one line per pre-flight check, fixes under warnings and failures. */
export function renderValidationReport(report: PreflightReport, style: Style): string {
  const lines = [heading('Validation report', style)];
  const labelWidth = Math.min(32, Math.max(10, ...report.checks.map((check) => check.label.length)));
  for (const check of report.checks) {
    const mark = check.status === 'pass' ? style.green('✓ PASS') : check.status === 'warn' ? style.yellow('! WARN') : style.red('✗ FAIL');
    lines.push(`${mark}  ${padEnd(check.label, labelWidth)}  ${check.message}`);
    if (check.status !== 'pass' && check.fix) lines.push(`        ${' '.repeat(labelWidth)}  ${style.dim(`fix: ${check.fix}`)}`);
  }
  const failures = report.checks.filter((check) => check.status === 'fail').length;
  const warnings = report.checks.filter((check) => check.status === 'warn').length;
  const verdict = report.isPassed ? style.green('PASSED') : style.red('FAILED');
  lines.push('', `Result: ${verdict} (${report.checks.length} checks, ${failures} failed, ${warnings} warnings)`);
  return lines.join('\n');
}
