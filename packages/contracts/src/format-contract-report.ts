import type { ContractReport, Endpoint } from '@qoder-orch/spec';

function origins(endpoints: readonly Endpoint[]): string {
  const names = [...new Set(endpoints.map((endpoint) => endpoint.origin))].sort();
  return names.length > 0 ? ` (${names.join(', ')})` : '';
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The plain-text API CONTRACT VERIFICATION block (no colours: the CLI adds them). */
export function formatContractReport(report: ContractReport): string {
  const errors = report.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const lines = [
    'API CONTRACT VERIFICATION',
    '=========================',
    `Contract: ${report.contractSource ? `${report.contractSource} (${plural(report.contract.length, 'endpoint')})` : 'none found'}`,
    `Backend:  ${plural(report.backend.length, 'route')}${origins(report.backend)}`,
    `Frontend: ${plural(report.frontend.length, 'call')}${origins(report.frontend)}`,
    '',
  ];
  if (report.findings.length === 0) lines.push('No mismatches.');
  const kindWidth = Math.max(0, ...report.findings.map((finding) => finding.kind.length));
  const endpointWidth = Math.max(0, ...report.findings.map((finding) => `${finding.method} ${finding.path}`.length));
  for (const finding of report.findings) {
    const location = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''}` : '';
    lines.push(`${finding.severity === 'error' ? 'ERROR' : 'WARN '}  ${finding.kind.padEnd(kindWidth)}  ${`${finding.method} ${finding.path}`.padEnd(endpointWidth)}  ${location}`.trimEnd(), `       ${finding.message}`);
  }
  if (report.notes && report.notes.length > 0) lines.push('', ...report.notes.map((note) => `Note: ${note}`));
  lines.push('', `Result: ${report.isPassed ? 'PASSED' : 'FAILED'} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`);
  return lines.join('\n');
}
