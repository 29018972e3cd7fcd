import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { scoreContractCorpus } from '@qoder-orch/contracts/test';
import { type Benchmark, fixed, table } from '../harness';

const CORPUS = fileURLToPath(new URL('../../packages/contracts/src/__fixtures__/corpus', import.meta.url));

/** The contract verifier's errors on small real-world API layouts: precision (no false errors) and recall (planted mismatches found). */
export const contractCorpus: Benchmark = {
  name: 'contract-corpus',
  description: 'contract verifier precision and recall over the layout corpus',
  async run(context) {
    const startedAt = performance.now();
    const score = await scoreContractCorpus(CORPUS);
    const elapsedMs = performance.now() - startedAt;
    const planted = score.truePositiveCount + score.missedCount;
    const withErrors = score.cases.filter((entry) => entry.falsePositives.length > 0 || entry.missed.length > 0);
    context.log(
      table(
        ['layouts', 'planted mismatches', 'errors reported', 'false errors', 'missed', 'warnings', 'precision', 'recall', 'ms / layout'],
        [
          [
            String(score.cases.length),
            String(planted),
            String(score.truePositiveCount + score.falsePositiveCount),
            String(score.falsePositiveCount),
            String(score.missedCount),
            String(score.cases.reduce((sum, entry) => sum + entry.warningCount, 0)),
            fixed(score.precision, 3),
            fixed(score.recall, 3),
            fixed(elapsedMs / score.cases.length, 1),
          ],
        ],
      ),
    );
    for (const entry of withErrors) {
      for (const finding of entry.falsePositives) context.log(`false error  ${entry.name}: ${finding.kind} ${finding.method} ${finding.path} (${finding.file}:${finding.line})`);
      for (const missed of entry.missed) context.log(`missed       ${entry.name}: ${missed.kind ?? ''} ${missed.method} ${missed.path}`);
    }
    context.log(`\nprecision ${fixed(score.precision, 3)}, recall ${fixed(score.recall, 3)}`);
  },
};
