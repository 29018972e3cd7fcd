import { type ContractReport, ContractReportSchema } from '@qoder-orch/spec';
import { serializeError } from '@qoder-orch/spec';
import type { RunContext } from './run-context';

/**
 * The contract check as evidence, kept as the run's latest report; a checker that throws or
 * answers garbage becomes a warning, not a crash (the earlier report stays).
 */
export async function checkContract(run: RunContext): Promise<ContractReport | undefined> {
  const checker = run.options.contractVerifier;
  if (!checker) return undefined;
  try {
    const report = ContractReportSchema.parse(await checker.verify({ projectDir: run.projectDir, abortSignal: run.signal })) as ContractReport;
    run.events.emit('contract-end', { report });
    await run.options.registry?.recordContract?.(report);
    run.contractReport = report;
    return report;
  } catch (error) {
    if (run.signal.aborted) throw error;
    run.events.emit('warning', { code: 'CONTRACT_CHECK_FAILED', message: `The API contract check could not run: ${serializeError(error).message}` });
    return undefined;
  }
}
