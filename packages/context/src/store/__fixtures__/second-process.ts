/**
 * Run by context-store tests in a separate node process (tsx): opens a store on the same
 * project and cache directory, refreshes, asks for one task's context, prints what happened.
 * Usage: node --import tsx second-process.ts '<json: projectDir, modelDir, modelName, task, tokenBudget>'
 */
import { createContextStore } from '../../index';

const input = JSON.parse(process.argv[2] ?? '{}') as {
  projectDir: string;
  modelDir: string;
  modelName: string;
  task: { id: string; title: string; description: string; agent: string; dependsOn: string[]; files: string[]; acceptance: string[]; verify: []; estimateMinutes: number };
  tokenBudget: number;
};
const warnings: string[] = [];
const store = createContextStore({
  projectDir: input.projectDir,
  modelDir: input.modelDir,
  modelName: input.modelName,
  allowRemoteModels: false,
});
store.on('warning', (warning) => warnings.push(warning.code));
const refresh = await store.refresh();
const context = await store.contextFor(input.task, { tokenBudget: input.tokenBudget });
await store.close();
console.log(JSON.stringify({ refresh, stats: store.stats(), isCacheHit: context.isCacheHit, version: context.version, sources: context.chunks.map((chunk) => chunk.source), warnings }));
