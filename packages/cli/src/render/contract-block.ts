import type { ContractReport } from '@qoder-orch/core';
import { heading } from './heading';
import type { Style } from './terminal-style';

/** API CONTRACT VERIFICATION: counts per side and every finding with its place in the code. */
export function renderContractReport(report: ContractReport, style: Style): string {
  const lines = [heading('API contract verification', style)];
  lines.push(`Contract: ${report.contractSource ?? 'none found'}`);
  lines.push(`Endpoints: ${report.contract.length} in the contract, ${report.backend.length} served by the backend, ${report.frontend.length} called by the frontend`);
  if (report.findings.length === 0) lines.push(style.green('✓ frontend, backend and contract agree'));
  for (const finding of report.findings) {
    const mark = finding.severity === 'error' ? style.red('✗') : style.yellow('!');
    const where = finding.file ? ` ${style.dim(`(${finding.file}${finding.line ? `:${finding.line}` : ''})`)}` : '';
    lines.push(`${mark} ${finding.kind.padEnd(16)} ${finding.method.toUpperCase()} ${finding.path}: ${finding.message}${where}`);
  }
  lines.push('', `Result: ${report.isPassed ? style.green('PASSED') : style.red('FAILED')}`);
  return lines.join('\n');
}
