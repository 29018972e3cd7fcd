import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ContractFinding, ContractVerifier as ContractVerifierSpec } from '@qoder-orch/spec';
import { ContractVerifier } from '../contract-verifier';
import { matchRoutePaths, normaliseRoutePath } from '../route-path';

const ExpectedSchema = z.object({
  errors: z.array(
    z.object({
      kind: z.string().optional(),
      method: z.string(),
      path: z.string(),
      file: z.string().optional(),
    }),
  ),
});
type ExpectedError = z.infer<typeof ExpectedSchema>['errors'][number];

export interface CorpusCaseScore {
  name: string;
  /** Errors reported that `expected.json` lists. */
  truePositives: ContractFinding[];
  /** Errors reported that it does not list: a correct layout blocked for nothing. */
  falsePositives: ContractFinding[];
  /** Listed errors that were not reported. */
  missed: ExpectedError[];
  warningCount: number;
}

export interface CorpusScore {
  cases: CorpusCaseScore[];
  /** Reported errors that are real, of all reported errors (1 when none were reported). */
  precision: number;
  /** Real errors reported, of all real errors (1 when the corpus plants none). */
  recall: number;
  truePositiveCount: number;
  falsePositiveCount: number;
  missedCount: number;
}

const matches = (finding: ContractFinding, expected: ExpectedError) =>
  (expected.kind === undefined || expected.kind === finding.kind) &&
  expected.method.toUpperCase() === finding.method &&
  matchRoutePaths(normaliseRoutePath(expected.path), finding.path) === 'exact' &&
  (expected.file === undefined || expected.file === finding.file);

/**
 * Runs a contract checker on every folder of a corpus (each a small project with an
 * `expected.json` listing the real mismatches, `{ "errors": [{ kind?, method, path, file? }] }`)
 * and scores its errors: precision over reported errors, recall over planted ones.
 */
export async function scoreContractCorpus(corpusDir: string, checker: ContractVerifierSpec = new ContractVerifier()): Promise<CorpusScore> {
  const entries = (await readdir(corpusDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const cases: CorpusCaseScore[] = [];
  for (const name of entries) {
    const projectDir = join(corpusDir, name);
    const expected = ExpectedSchema.parse(JSON.parse(await readFile(join(projectDir, 'expected.json'), 'utf8'))).errors;
    const report = await checker.verify({ projectDir });
    const errors = report.findings.filter((finding) => finding.severity === 'error');
    const truePositives = errors.filter((finding) => expected.some((entry) => matches(finding, entry)));
    const falsePositives = errors.filter((finding) => !truePositives.includes(finding));
    const missed = expected.filter((entry) => !errors.some((finding) => matches(finding, entry)));
    cases.push({ name, truePositives, falsePositives, missed, warningCount: report.findings.length - errors.length });
  }
  const truePositiveCount = cases.reduce((sum, entry) => sum + entry.truePositives.length, 0);
  const falsePositiveCount = cases.reduce((sum, entry) => sum + entry.falsePositives.length, 0);
  const missedCount = cases.reduce((sum, entry) => sum + entry.missed.length, 0);
  const expectedCount = cases.reduce((sum, entry) => sum + entry.truePositives.length + entry.missed.length, 0);
  return {
    cases,
    precision: truePositiveCount + falsePositiveCount === 0 ? 1 : truePositiveCount / (truePositiveCount + falsePositiveCount),
    recall: expectedCount === 0 ? 1 : (expectedCount - missedCount) / expectedCount,
    truePositiveCount,
    falsePositiveCount,
    missedCount,
  };
}
