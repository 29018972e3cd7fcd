import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TaskSchema } from '@qoder-orch/core';
import { VectorIndex, createContextStore } from '@qoder-orch/context';
import { createTinyBertModel } from '@qoder-orch/context/test';
import { type Benchmark, compare, fixed, table } from '../harness';
import { createRandom } from '../random';

function unitVector(random: () => number, dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  let norm = 0;
  for (let index = 0; index < dimension; index += 1) {
    vector[index] = random() * 2 - 1;
    norm += vector[index]! * vector[index]!;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let index = 0; index < dimension; index += 1) vector[index]! *= scale;
  return vector;
}

/** The naive search our index replaces: one array per row, a score for every row, a full sort. */
function naiveTopK(rows: readonly Float32Array[], query: Float32Array, k: number): number[] {
  const scored = rows.map((row, index) => {
    let dot = 0;
    for (let column = 0; column < row.length; column += 1) dot += row[column]! * query[column]!;
    return { index, dot };
  });
  scored.sort((a, b) => b.dot - a.dot);
  return scored.slice(0, k).map((entry) => entry.index);
}

const TOPICS = ['authentication tokens', 'payment invoices', 'database migrations', 'user sessions', 'cache expiry', 'frontend forms', 'api routes', 'logging errors'];

async function wikiProject(pages: number, sectionsPerPage: number): Promise<string> {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-wiki-'));
  await mkdir(join(projectDir, 'wiki'), { recursive: true });
  for (let page = 0; page < pages; page += 1) {
    const topic = TOPICS[page % TOPICS.length]!;
    const sections = Array.from(
      { length: sectionsPerPage },
      (_, section) => `## ${topic} part ${section}\n\nHow we handle ${topic} in module ${page}-${section}: check the ${topic} rules, use the shared helpers, write tests for every ${topic} change.\n`,
    );
    await writeFile(join(projectDir, 'wiki', `page-${page}.md`), `# ${topic} ${page}\n\n${sections.join('\n')}`);
  }
  await writeFile(join(projectDir, 'AGENTS.md'), '# Rules\n\nUse TypeScript. Run the tests before you finish.\n');
  return projectDir;
}

export const retrieval: Benchmark = {
  name: 'retrieval',
  description: 'Vector search at 10k and 100k chunks against a naive search, and cold against warm context assembly with the real model-loading path (tiny model).',
  async run({ isQuick, log }) {
    // 1. Query latency.
    const dimension = 384;
    const sizes = isQuick ? [10_000] : [10_000, 100_000];
    const rows: string[][] = [];
    for (const size of sizes) {
      const generator = createRandom(size);
      const random = () => generator.next();
      const index = new VectorIndex(dimension, size);
      const plain: Float32Array[] = [];
      for (let row = 0; row < size; row += 1) {
        const vector = unitVector(random, dimension);
        index.set(`c${row}`, vector);
        plain.push(vector);
      }
      const queries = Array.from({ length: 20 }, () => unitVector(random, dimension));
      let cursor = 0;
      const result = await compare(
        () => naiveTopK(plain, queries[cursor++ % queries.length]!, 10),
        () => index.search(queries[cursor++ % queries.length]!, 10),
        { warmup: 3, runs: isQuick ? 5 : 15 },
      );
      rows.push([`${size.toLocaleString('en')} × ${dimension}`, fixed(result.baseline.medianMs, 2), fixed(result.subject.medianMs, 2), fixed(result.ratio, 2)]);
    }
    log('Top-10 cosine search over pre-normalised vectors. Baseline: one array per row, every row scored, full sort.');
    log(table(['chunks', 'naive ms / query', 'VectorIndex ms / query', 'ratio'], rows));

    // 2. Cold and warm context assembly through the real transformers pipeline (tiny BERT model).
    const modelRoot = await mkdtemp(join(tmpdir(), 'qoder-orch-bench-model-'));
    const model = await createTinyBertModel(modelRoot);
    const projectDir = await wikiProject(isQuick ? 20 : 60, 8);
    const tasks = TOPICS.map((topic, number) => TaskSchema.parse({ id: `t${number}`, title: `Change ${topic}`, description: `Update how we handle ${topic}.`, agent: 'backend-dev' }));
    const open = () => createContextStore({ projectDir, modelDir: model.modelDir, modelName: model.modelName, allowRemoteModels: false });
    const phases: string[][] = [];
    const measure = async (label: string) => {
      const store = open();
      const startedAt = performance.now();
      const refreshed = await store.refresh();
      const refreshMs = performance.now() - startedAt;
      const contextStartedAt = performance.now();
      for (const task of tasks) await store.contextFor(task, { tokenBudget: 2000 });
      const contextMs = performance.now() - contextStartedAt;
      const stats = store.stats();
      await store.close?.();
      phases.push([
        label,
        String(refreshed.added + refreshed.modified + refreshed.unchanged),
        String(stats.embeddingsComputed),
        String(stats.embeddingsReused),
        fixed(refreshMs, 0),
        fixed(contextMs / tasks.length, 1),
        `${stats.cacheHits}/${stats.cacheHits + stats.cacheMisses}`,
      ]);
      return { refreshMs, contextMs };
    };
    try {
      const cold = await measure('cold (first run)');
      const warm = await measure('warm (next run, new process state)');
      log('');
      log(`Context for ${tasks.length} tasks from a wiki of ${isQuick ? 20 : 60} pages × 8 sections, through the real transformers pipeline on the generated tiny BERT model.`);
      log(table(['run', 'chunks', 'embedded', 'reused', 'refresh ms', 'contextFor ms / task', 'cache hits'], phases));
      log(`warm / cold: refresh ${fixed(warm.refreshMs / cold.refreshMs, 2)}, context assembly ${fixed(warm.contextMs / cold.contextMs, 2)}`);
    } finally {
      await rm(projectDir, { recursive: true, force: true });
      await rm(modelRoot, { recursive: true, force: true });
    }
  },
};
