/**
 * `node contract-check.js [options-json]`: the contract check as a command, run in a project
 * directory (its working directory). Prints the report; exits 0 when it has no error, 1 when it
 * has, 2 when it cannot run. Follow-up tasks for contract errors carry it as their check.
 */
import { z } from 'zod';
import { createIntegrationRegistry } from './registry/integration-registry';
import { ContractVerifier } from './contract-verifier';
import { formatContractReport } from './format-contract-report';

const OptionsSchema = z
  .object({
    contractPath: z.string().optional(),
    include: z.array(z.string()).optional(),
    exclude: z.array(z.string()).optional(),
    maxFiles: z.number().int().positive().optional(),
    apiHosts: z.array(z.string()).optional(),
    /** Use `specs/integration_registry.json` as the contract when there is no OpenAPI document. */
    useRegistry: z.boolean().optional(),
  })
  .strict();

async function main(): Promise<number> {
  const options = OptionsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const projectDir = process.cwd();
  const verifier = new ContractVerifier({
    ...(options.contractPath === undefined ? {} : { contractPath: options.contractPath }),
    ...(options.include === undefined ? {} : { include: options.include }),
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    ...(options.maxFiles === undefined ? {} : { maxFiles: options.maxFiles }),
    ...(options.apiHosts === undefined ? {} : { apiHosts: options.apiHosts }),
    ...(options.useRegistry ? { registry: createIntegrationRegistry({ projectDir }) } : {}),
  });
  const report = await verifier.verify({ projectDir });
  process.stdout.write(`${formatContractReport(report)}\n`);
  return report.isPassed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`The contract check could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
