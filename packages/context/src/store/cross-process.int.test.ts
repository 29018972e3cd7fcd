import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createContextStore } from '../index';
import { createTinyBertModel } from '../test/index';
import type { TinyBertModel } from '../test/index';
import { RANKING_CASES, writeProject } from './__fixtures__/sample-project';

let root: string;
let model: TinyBertModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qo-context-cross-process-'));
  model = await createTinyBertModel(join(root, 'models'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

test('a second node process reuses the embedding cache and the context cache from disk', async () => {
  const projectDir = join(root, 'project');
  await writeProject(projectDir);
  const task = RANKING_CASES[0]!.task;
  const store = createContextStore({ projectDir, modelDir: model.modelDir, modelName: model.modelName, allowRemoteModels: false });
  const refreshed = await store.refresh();
  expect(refreshed.ranking).toBe('semantic');
  await store.contextFor(task, { tokenBudget: 2000 });
  expect(store.stats()).toMatchObject({ embeddingsComputed: 5, cacheMisses: 1 });
  await store.close();

  // A real second process (tsx resolves @qoder-orch/spec to its sources through the fixture tsconfig).
  const script = fileURLToPath(new URL('./__fixtures__/second-process.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, JSON.stringify({ projectDir, modelDir: model.modelDir, modelName: model.modelName, task, tokenBudget: 2000 })], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('./__fixtures__/tsconfig.json', import.meta.url)) },
  });
  const child = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  expect(child.refresh).toMatchObject({ version: refreshed.version, added: 0, modified: 0, removed: 0, unchanged: 8, ranking: 'semantic' });
  expect(child.stats).toMatchObject({ embeddingsComputed: 0, embeddingsReused: 5, cacheHits: 1, cacheMisses: 0, cacheHitRate: 1 });
  expect(child.isCacheHit).toBe(true);
  expect(child.sources).toContain('wiki/auth.md');
  expect(child.warnings).toEqual(['SUBAGENT_INVALID']);
});
